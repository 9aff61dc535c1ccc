export type { ByteRange, ListedObject, ObjectInfo, ObjectStorage, PutBody, PutOptions } from './types.js';
export { assertValidKey, assertValidPrefix, findKeyProblem, findPrefixProblem, MAX_KEY_BYTES } from './keys.js';
export { contentTypeForKey } from './content-type.js';
export { createFsStorage } from './fs-storage.js';
export type { FsStorageOptions } from './fs-storage.js';
export { createS3Storage, createS3StorageWithClient, s3ClientConfig } from './s3-storage.js';
export type { S3BucketOptions, S3ConnectionOptions, S3StorageOptions } from './s3-storage.js';
export { createStorage } from './create-storage.js';
export type { StorageOptions } from './create-storage.js';
