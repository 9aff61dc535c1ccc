import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { readAll, takeBytes } from './body.js';
import { contentTypeForKey } from './content-type.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import { bytesToKeep, toHttpRange } from './range.js';
import { isMissingObject, s3Error } from './s3-errors.js';
import { deleteFailed, notFound, storageFailed } from './storage-errors.js';
import type { DeleteFailure } from './storage-errors.js';
import type { ByteRange, ListedObject, ObjectInfo, ObjectStorage, PutBody, PutOptions } from './types.js';

/** DeleteObjects takes at most this many keys per call; ListObjectsV2 returns at most this many. */
export const S3_MAX_BATCH = 1000;

export interface S3ConnectionOptions {
  /** For S3-compatible servers (MinIO, s3rver); AWS S3 when absent. */
  readonly endpoint?: string;
  readonly region: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** `bucket` in the path rather than the host name; defaults to true, which every server accepts. */
  readonly forcePathStyle?: boolean;
}

export interface S3BucketOptions {
  readonly bucket: string;
  /** Keys per ListObjectsV2 page (1..1000); small values exercise paging in tests. */
  readonly listPageSize?: number;
  /** Keys per DeleteObjects call (1..1000). */
  readonly deleteBatchSize?: number;
}

export type S3StorageOptions = S3ConnectionOptions & S3BucketOptions;

/**
 * The SDK client settings. The checksum options stop the SDK from sending streamed bodies with
 * aws-chunked framing, which S3-compatible servers can store as part of the object (silently
 * corrupt); they change nothing against AWS itself.
 */
export function s3ClientConfig(options: S3ConnectionOptions): S3ClientConfig {
  const { endpoint, region, accessKeyId, secretAccessKey } = options;
  return {
    region,
    forcePathStyle: options.forcePathStyle ?? true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } }),
  };
}

export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  return createS3StorageWithClient(new S3Client(s3ClientConfig(options)), options);
}

/** The S3 driver over a client the caller owns (shared between storages, or a test double). */
export function createS3StorageWithClient(client: S3Client, options: S3BucketOptions): ObjectStorage {
  const Bucket = options.bucket;
  const listPageSize = batchSize(options.listPageSize, 'listPageSize');
  const deleteBatchSize = batchSize(options.deleteBatchSize, 'deleteBatchSize');

  const getRange = async (key: string, range?: ByteRange): Promise<Readable> => {
    assertValidKey(key);
    const Range = range === undefined ? undefined : toHttpRange(range);
    const output = await client
      .send(new GetObjectCommand({ Bucket, Key: key, Range }))
      .catch((error: unknown) => Promise.reject(s3Error(error, 'get', key)));
    return requestedBytes(output.Body, range, output.ContentRange, key);
  };

  return {
    put: (key, body, putOptions) => upload(client, Bucket, key, body, putOptions),
    getRange,
    getBytes: async (key, range) => {
      const stream = await getRange(key, range);
      return readAll(stream).catch((error: unknown) => Promise.reject(s3Error(error, 'get', key)));
    },
    head: (key) => headObject(client, Bucket, key),
    list: (prefix) => listObjects(client, Bucket, prefix, listPageSize),
    deleteMany: (keys) => deleteObjects(client, Bucket, keys, deleteBatchSize),
    copy: async (from, to) => {
      assertValidKey(from);
      assertValidKey(to);
      const info = await headObject(client, Bucket, from);
      if (info === undefined) throw notFound(from);
      // CopyObject takes objects up to 5 GiB; a larger one goes through this process, streamed.
      if (info.size > S3_MAX_COPY_BYTES) return upload(client, Bucket, to, await getRange(from), { contentType: info.contentType ?? contentTypeForKey(to) });
      await client
        .send(new CopyObjectCommand({ Bucket, Key: to, CopySource: `${Bucket}/${from.split('/').map(encodeURIComponent).join('/')}` }))
        .catch((error: unknown) => Promise.reject(s3Error(error, 'copy', from)));
    },
  };
}

/** The largest object one CopyObject takes. */
export const S3_MAX_COPY_BYTES = 5 * 1024 ** 3;

/** The response body cut to the range asked for (see `bytesToKeep`). */
function requestedBytes(body: unknown, range: ByteRange | undefined, contentRange: string | undefined, key: string): Readable {
  if (!(body instanceof Readable)) {
    throw storageFailed('S3', 'get', key, new TypeError('the S3 client returned a body that is not a Node stream'));
  }
  if (range === undefined) return body;
  try {
    const limit = bytesToKeep(range, contentRange);
    return limit === undefined ? body : takeBytes(body, limit);
  } catch (error) {
    body.destroy();
    throw error;
  }
}

function batchSize(value: number | undefined, name: string): number {
  if (value === undefined) return S3_MAX_BATCH;
  if (Number.isInteger(value) && value >= 1 && value <= S3_MAX_BATCH) return value;
  throw new RangeError(`${name} must be an integer from 1 to ${S3_MAX_BATCH}, not ${value}`);
}

/** Multipart when the body is large or of unknown length; S3 makes the object visible at the end. */
async function upload(client: S3Client, Bucket: string, key: string, body: PutBody, options?: PutOptions) {
  assertValidKey(key);
  const ContentType = options?.contentType ?? contentTypeForKey(key);
  try {
    await new Upload({ client, params: { Bucket, Key: key, Body: body, ContentType } }).done();
  } catch (error) {
    throw s3Error(error, 'put', key);
  }
}

async function headObject(client: S3Client, Bucket: string, key: string): Promise<ObjectInfo | undefined> {
  assertValidKey(key);
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      lastModified: head.LastModified ?? new Date(0),
      ...(head.ContentType === undefined ? {} : { contentType: head.ContentType }),
    };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw s3Error(error, 'head', key);
  }
}

async function* listObjects(
  client: S3Client,
  Bucket: string,
  prefix: string,
  MaxKeys: number,
): AsyncGenerator<ListedObject> {
  assertValidPrefix(prefix);
  let ContinuationToken: string | undefined;
  do {
    const page = await client
      .send(new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys, ContinuationToken }))
      .catch((error: unknown) => Promise.reject(s3Error(error, 'list', prefix)));
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
    }
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
}

async function deleteObjects(client: S3Client, Bucket: string, keys: readonly string[], size: number) {
  keys.forEach(assertValidKey);
  const unique = [...new Set(keys)];
  const failures: DeleteFailure[] = [];
  for (let index = 0; index < unique.length; index += size) {
    const Objects = unique.slice(index, index + size).map((Key) => ({ Key }));
    try {
      const result = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      for (const failure of result.Errors ?? []) {
        failures.push({ key: failure.Key ?? '', code: failure.Code, message: failure.Message ?? 'unknown' });
      }
    } catch (error) {
      // The whole batch failed: report its keys, and go on with the next batches.
      const message = error instanceof Error ? error.message : String(error);
      failures.push(...Objects.map(({ Key }) => ({ key: Key, code: 'REQUEST_FAILED', message })));
    }
  }
  if (failures.length > 0) throw deleteFailed(failures);
}
