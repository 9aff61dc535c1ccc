import { createFsStorage } from './fs-storage.js';
import type { FsStorageOptions } from './fs-storage.js';
import { createS3Storage } from './s3-storage.js';
import type { S3StorageOptions } from './s3-storage.js';
import type { ObjectStorage } from './types.js';

export type StorageOptions = ({ readonly driver: 'fs' } & FsStorageOptions) | ({ readonly driver: 's3' } & S3StorageOptions);

/** The storage a config names: `fs` on a single machine, `s3` for a cluster. */
export function createStorage(options: StorageOptions): ObjectStorage {
  switch (options.driver) {
    case 'fs':
      return createFsStorage(options);
    case 's3':
      return createS3Storage(options);
  }
}
