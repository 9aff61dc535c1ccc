import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createFsStorage, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { BLOCK_BYTES, cachedObject } from './block-cache.js';

/** Storage that counts the range reads reaching it. */
function counting(storage: ObjectStorage): { storage: ObjectStorage; reads: () => number } {
  let reads = 0;
  return {
    storage: { ...storage, getBytes: (key, range) => ((reads += 1), storage.getBytes(key, range)) },
    reads: () => reads,
  };
}

/** `uploads/v` of `size` random bytes in a fresh fs storage that counts its range reads; removed after `body`. */
async function withObject(size: number, body: (setup: { bytes: Buffer; storage: ObjectStorage; reads: () => number }) => Promise<void>): Promise<void> {
  const dir = await makeTempDir('kiln-block-cache-');
  try {
    const bytes = randomBytes(size);
    const fs = createFsStorage({ root: dir });
    await fs.put('uploads/v', bytes);
    await body({ bytes, ...counting(fs) });
  } finally {
    await removeTempDir(dir);
  }
}

test('reads through the block cache answer the bytes of the object, and repeated reads stay in memory', () =>
  withObject(3 * BLOCK_BYTES + 1234, async ({ bytes, storage, reads }) => {
    const object = cachedObject(storage, 'uploads/v');
    for (const [start, end] of [[0, 99], [BLOCK_BYTES - 10, BLOCK_BYTES + 10], [5, 3 * BLOCK_BYTES + 1233], [3 * BLOCK_BYTES, undefined]] as const) {
      assert.deepEqual(await object.getBytes({ start, ...(end === undefined ? {} : { end }) }), bytes.subarray(start, end === undefined ? undefined : end + 1));
    }
    assert.equal(reads(), 4, 'each block read once');
    await assert.rejects(object.getBytes({ start: bytes.length + 10 }), 'a range past the end is storage\'s error');
    const small = cachedObject(storage, 'uploads/v', 1);
    await small.getBytes({ start: 0, end: 9 });
    await small.getBytes({ start: BLOCK_BYTES, end: BLOCK_BYTES + 9 });
    const before = reads();
    await small.getBytes({ start: 0, end: 9 });
    assert.equal(reads(), before + 1, 'beyond its capacity the least recently used block is read again');
  }));

test('a streamed read goes through the same blocks: the bytes of the range, each block fetched once', () =>
  withObject(2 * BLOCK_BYTES + 77, async ({ bytes, storage, reads }) => {
    const object = cachedObject(storage, 'uploads/v');
    const streamed = async (start: number, end: number) => Buffer.concat(await (await object.getRange({ start, end })).toArray() as Buffer[]);
    assert.deepEqual(await streamed(10, 2 * BLOCK_BYTES + 50), bytes.subarray(10, 2 * BLOCK_BYTES + 51));
    assert.deepEqual(await object.getBytes({ start: BLOCK_BYTES, end: BLOCK_BYTES + 9 }), bytes.subarray(BLOCK_BYTES, BLOCK_BYTES + 10));
    assert.equal(reads(), 3, 'three blocks, each read once');
  }));
