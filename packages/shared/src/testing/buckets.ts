import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { s3ClientConfig } from '../storage/s3-storage.js';
import type { S3ConnectionOptions } from '../storage/s3-storage.js';

/** A bucket name no other test uses: lower case, 3..63 characters, as S3 requires. */
export function uniqueBucketName(label = 'kiln-test'): string {
  return `${label}-${randomUUID().slice(0, 8)}`.toLowerCase();
}

/** Creates an empty bucket (a private one per test keeps tests independent). */
export async function createBucket(connection: S3ConnectionOptions, bucket = uniqueBucketName()): Promise<string> {
  const client = new S3Client(s3ClientConfig(connection));
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  } finally {
    client.destroy();
  }
}
