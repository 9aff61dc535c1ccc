import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { DeleteObjectsCommandInput, DeleteObjectsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedErrors } from '../errors.js';
import { s3Error } from './s3-errors.js';
import { createS3StorageWithClient, s3ClientConfig } from './s3-storage.js';

/** A client double that answers DeleteObjects with `answer` and records each batch. */
function deleteClient(answer: (keys: string[]) => Promise<Partial<DeleteObjectsCommandOutput>>) {
  const batches: string[][] = [];
  const client = {
    send: (command: unknown) => {
      assert.ok(command instanceof DeleteObjectsCommand);
      const input: DeleteObjectsCommandInput = command.input;
      const keys = (input.Delete?.Objects ?? []).map((object) => object.Key ?? '');
      batches.push(keys);
      return answer(keys);
    },
  } as unknown as S3Client;
  return { client, batches };
}

describe('s3ClientConfig', () => {
  test('an S3-compatible server: endpoint, credentials, path style, checksums only when required', () => {
    const config = s3ClientConfig({
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
    });
    assert.deepEqual(config, {
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      endpoint: 'http://127.0.0.1:9000',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
  });

  test('AWS with the default credential chain and virtual-host style', () => {
    assert.deepEqual(s3ClientConfig({ region: 'eu-west-1', forcePathStyle: false }), {
      region: 'eu-west-1',
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
});

describe('S3 deleteMany', () => {
  test('sends batches of at most deleteBatchSize keys, each key once', async () => {
    const { client, batches } = deleteClient(() => Promise.resolve({}));
    const storage = createS3StorageWithClient(client, { bucket: 'b', deleteBatchSize: 2 });
    await storage.deleteMany(['a', 'b', 'c', 'a', 'd', 'e']);
    assert.deepEqual(batches, [['a', 'b'], ['c', 'd'], ['e']]);
  });

  test('reports every key that failed, from per-key errors and from a failed batch, after trying all batches', async () => {
    const { client, batches } = deleteClient((keys) => {
      if (keys.includes('c')) return Promise.reject(new Error('socket hang up'));
      return Promise.resolve({ Errors: keys.includes('a') ? [{ Key: 'a', Code: 'AccessDenied', Message: 'Access Denied' }] : [] });
    });
    const storage = createS3StorageWithClient(client, { bucket: 'b', deleteBatchSize: 2 });
    await assert.rejects(storage.deleteMany(['a', 'b', 'c', 'd', 'e']), (error: unknown) => {
      assert.ok(SharedErrors.is(error, 'STORAGE_FAILED'));
      assert.deepEqual(error.details?.failures, [
        { key: 'a', code: 'AccessDenied', message: 'Access Denied' },
        { key: 'c', code: 'REQUEST_FAILED', message: 'socket hang up' },
        { key: 'd', code: 'REQUEST_FAILED', message: 'socket hang up' },
      ]);
      return true;
    });
    assert.equal(batches.length, 3);
  });

  test('batch sizes outside 1..1000 are refused at creation', () => {
    const { client } = deleteClient(() => Promise.resolve({}));
    for (const size of [0, 1001, 2.5]) {
      assert.throws(() => createS3StorageWithClient(client, { bucket: 'b', deleteBatchSize: size }), RangeError);
      assert.throws(() => createS3StorageWithClient(client, { bucket: 'b', listPageSize: size }), RangeError);
    }
  });
});

describe('s3Error', () => {
  const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  test('maps missing objects, bad ranges and everything else to typed errors', () => {
    assert.equal(s3Error(sdkError('NoSuchKey', 404), 'get', 'k').code, 'STORAGE_NOT_FOUND');
    assert.equal(s3Error(sdkError('NotFound', 404), 'head', 'k').code, 'STORAGE_NOT_FOUND');
    assert.equal(s3Error(sdkError('InvalidRange', 416), 'get', 'k').code, 'STORAGE_INVALID_RANGE');
    assert.equal(s3Error(sdkError('Unknown', 416), 'get', 'k').code, 'STORAGE_INVALID_RANGE');
    assert.equal(s3Error(sdkError('NoSuchBucket', 404), 'get', 'k').code, 'STORAGE_FAILED', 'a missing bucket is a broken setup');
    assert.equal(s3Error(new Error('ECONNREFUSED'), 'put', 'k').code, 'STORAGE_FAILED');
  });

  test('keeps the SDK error as the cause and passes typed errors through', () => {
    const original = sdkError('SlowDown', 503);
    assert.equal(s3Error(original, 'put', 'k').cause, original);
    const typed = SharedErrors.create('STORAGE_INVALID_KEY');
    assert.equal(s3Error(typed, 'put', 'k'), typed);
  });
});
