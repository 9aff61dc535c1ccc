/**
 * The pinned opening's runs over an upload read it through one block cache: two runs of the same
 * upload fetch its media from storage once, never with a GET that goes around the cache.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createFsStorage, uploadObjectKey, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir, sampleMediaDirectory } from '@kiln/shared/testing';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../ingest/index.js';
import { lookInPlace } from './in-place.js';

let root: string;
before(async () => {
  root = await makeTempDir('in-place');
});
after(() => removeTempDir(root));

/** The storage, adding up what is read from it, by call. */
function counted(storage: ObjectStorage) {
  const reads = { getRange: 0, getBytes: 0, bytes: 0 };
  const wrapped: ObjectStorage = {
    ...storage,
    getRange: (key, range) => ((reads.getRange += 1), storage.getRange(key, range)),
    getBytes: async (key, range) => {
      reads.getBytes += 1;
      const bytes = await storage.getBytes(key, range);
      reads.bytes += bytes.length;
      return bytes;
    },
  };
  return { storage: wrapped, reads };
}

test('two runs over an upload read its bytes once, through the block cache', async () => {
  const file = await readFile(join(sampleMediaDirectory(), 'h264-aac-moov-at-end-15s.mp4'));
  const { storage, reads } = counted(createFsStorage({ root }));
  await storage.put(uploadObjectKey('v'), file);
  const look = await lookInPlace('v', storage, DEFAULT_LIMITS);
  assert.ok('opener' in look, `read in place: ${'reason' in look ? look.reason : ''}`);
  for (let run = 0; run < 2; run += 1) {
    const source = await look.opener.open('v');
    try {
      const body = await (await fetch(source.input.url)).arrayBuffer();
      assert.ok(body.byteLength >= file.length - 16, `run ${run} read the whole view`);
    } finally {
      await source.close();
    }
  }
  assert.equal(reads.getRange, 0, 'no GET around the cache');
  assert.ok(reads.bytes < file.length * 1.2, `${reads.bytes} bytes read for a ${file.length}-byte upload`);
});
