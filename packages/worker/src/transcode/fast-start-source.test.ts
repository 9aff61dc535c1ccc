/**
 * The fast-start source keeps each video's view: a second open sends one HEAD and reads nothing,
 * serves the same bytes, and a source that changed (or went) is not served from the old view.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createFsStorage, sourceObjectKey, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir, sampleMediaFile } from '@kiln/shared/testing';
import { fastStartSource } from './fast-start-source.js';
import type { SourceOpener } from './source.js';

const SOURCE = sampleMediaFile('h264-aac-moov-at-end-15s.mp4');
let root: string;

before(async () => {
  root = await makeTempDir('fast-start-source');
});
after(async () => {
  await removeTempDir(root);
});

/** The storage, counting what the source asks of it. */
function counted(storage: ObjectStorage): { storage: ObjectStorage; calls: { heads: number; reads: number } } {
  const calls = { heads: 0, reads: 0 };
  return {
    calls,
    storage: {
      ...storage,
      head: (key) => ((calls.heads += 1), storage.head(key)),
      getBytes: (key, range) => ((calls.reads += 1), storage.getBytes(key, range)),
      getRange: (key, range) => ((calls.reads += 1), storage.getRange(key, range)),
    },
  };
}

/** Opens the video's source and reads the first `length` bytes of its view over the endpoint. */
async function firstBytes(opener: SourceOpener, videoId: string, length: number): Promise<Buffer> {
  const source = await opener.open(videoId);
  try {
    const response = await fetch(source.input.url, { headers: { range: `bytes=0-${length - 1}` } });
    return Buffer.from(await response.arrayBuffer());
  } finally {
    await source.close();
  }
}

test('a second open of a video reuses its view: one HEAD, no range read, the same bytes', async () => {
  const { storage, calls } = counted(createFsStorage({ root }));
  await storage.put(sourceObjectKey('v'), await readFile(SOURCE));
  const opener = fastStartSource(storage);
  const first = await firstBytes(opener, 'v', 4096);
  assert.ok(calls.reads >= 2, 'the first open reads the start of the file and the moov');
  const before = { ...calls };
  const again = await firstBytes(opener, 'v', 4096);
  assert.deepEqual(again, first);
  assert.deepEqual({ heads: calls.heads - before.heads, reads: calls.reads - before.reads }, { heads: 1, reads: 0 });
});

test('a source replaced under the same key is opened afresh, a deleted one is SOURCE_MISSING', async () => {
  const { storage, calls } = counted(createFsStorage({ root }));
  const bytes = await readFile(SOURCE);
  await storage.put(sourceObjectKey('w'), bytes);
  const opener = fastStartSource(storage);
  await firstBytes(opener, 'w', 16);
  const free = Buffer.from([0, 0, 0, 8, ...Buffer.from('free', 'latin1')]);
  await storage.put(sourceObjectKey('w'), Buffer.concat([bytes, free]));
  const before = calls.reads;
  await firstBytes(opener, 'w', 16);
  assert.ok(calls.reads - before >= 2, 'the moov is read again');
  await storage.deleteMany([sourceObjectKey('w')]);
  await assert.rejects(() => opener.open('w'), (error: { code?: string }) => error.code === 'SOURCE_MISSING');
});
