import { resolve } from 'node:path';
import type { StorageOptions } from '../storage/create-storage.js';

/** The storage settings every process that touches objects reads. */
export interface StorageSettings {
  readonly dataDir: string;
  readonly storageDriver: 'fs' | 's3';
  readonly storageDir: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly s3Region: string;
  readonly s3Bucket: string;
  readonly s3AccessKeyId: string | undefined;
  readonly s3SecretAccessKey: string | undefined;
  readonly s3ForcePathStyle: boolean;
}

/** Maps configuration to the storage driver's options; paths are made absolute once, here. */
export function storageOptionsFromConfig(config: StorageSettings): StorageOptions {
  if (config.storageDriver === 'fs') {
    return { driver: 'fs', root: resolve(config.storageDir ?? `${config.dataDir}/objects`) };
  }
  return {
    driver: 's3',
    region: config.s3Region,
    bucket: config.s3Bucket,
    forcePathStyle: config.s3ForcePathStyle,
    ...(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint }),
    ...(config.s3AccessKeyId === undefined || config.s3SecretAccessKey === undefined
      ? {}
      : { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey }),
  };
}
