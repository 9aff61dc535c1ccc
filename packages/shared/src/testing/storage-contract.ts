import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  failingStream,
  forEachLimited,
  noiseChunks,
  noiseStream,
  rejectsWithCode,
  sha256Of,
  sha256OfStream,
} from './storage-contract-helpers.js';
import { listKeys } from '../storage/list-keys.js';
import { compareKeys } from '../storage/fs-walk.js';
import type { ObjectStorage } from '../storage/types.js';

export interface StorageContractOptions {
  /** A new, empty storage for each test. */
  readonly freshStorage: () => Promise<ObjectStorage>;
  /** The page size the storage lists with, so the listing test spans several pages. */
  readonly listPageSize: number;
  /** The delete batch size, so the deleteMany test spans several batches. */
  readonly deleteBatchSize: number;
  /**
   * False for s3rver: it lists by walking directories, so `a/…` comes before `a.ts` and paging
   * across such keys skips or repeats some. Real S3 and MinIO sort by UTF-8 bytes.
   */
  readonly exactKeyOrder: boolean;
}

const MIB = 1024 * 1024;
/** Over two 5 MiB parts: an S3 driver must go multipart. */
const LARGE_BODY_BYTES = 12 * MIB + 12_345;
const SMALL_BODY = 'Kiln segment bytes: 0123456789';

/** What every ObjectStorage driver must do; run it once per driver. */
export function describeStorageContract(driverName: string, options: StorageContractOptions): void {
  const { freshStorage } = options;

  describe(`ObjectStorage contract (${driverName})`, () => {
    describeRoundTrips(freshStorage);
    describeRanges(freshStorage);

    test('head gives size, a recent date and a content type, and undefined for no object', async () => {
      const storage = await freshStorage();
      await storage.put('videos/v1/0.ts', SMALL_BODY);
      const info = await storage.head('videos/v1/0.ts');
      assert.equal(info?.size, SMALL_BODY.length);
      assert.equal(info?.contentType, 'video/mp2t');
      assert.ok(isPlausibleDate(info?.lastModified));
      assert.equal(await storage.head('videos/v1/1.ts'), undefined);
      assert.equal(await storage.head('videos'), undefined, 'a prefix is not an object');
    });

    describeListing(freshStorage, options.listPageSize, options.exactKeyOrder);

    test(`deleteMany removes more keys than one batch (${options.deleteBatchSize}) and ignores missing ones`, async () => {
      const storage = await freshStorage();
      const keys = Array.from({ length: options.deleteBatchSize * 2 + 3 }, (_, index) => `segments/v/${index}.ts`);
      await forEachLimited(keys, 8, (key) => storage.put(key, key));
      await storage.put('segments/w/0.ts', 'kept');
      await storage.deleteMany([...keys, 'segments/v/never-there.ts', keys[0] ?? '']);
      assert.deepEqual(await listKeys(storage, 'segments/'), ['segments/w/0.ts']);
      await rejectsWithCode(() => storage.getBytes(keys[1] ?? ''), 'STORAGE_NOT_FOUND');
      await storage.deleteMany([]);
    });

    test('copy makes an equal object under the new key, replacing one there; a missing source is STORAGE_NOT_FOUND', async () => {
      const storage = await freshStorage();
      const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      await storage.put('uploads/u', bytes);
      await storage.put('sources/u.mp4', 'an older object');
      await storage.copy('uploads/u', 'sources/u.mp4');
      assert.deepEqual(await storage.getBytes('sources/u.mp4'), bytes);
      assert.deepEqual(await storage.getBytes('uploads/u'), bytes, 'the original stays');
      assert.equal((await storage.head('sources/u.mp4'))?.size, bytes.length);
      await rejectsWithCode(() => storage.copy('uploads/missing', 'sources/x.mp4'), 'STORAGE_NOT_FOUND');
      assert.equal(await storage.head('sources/x.mp4'), undefined, 'a failed copy leaves nothing');
    });

    test('a missing key is STORAGE_NOT_FOUND for every read', async () => {
      const storage = await freshStorage();
      await storage.put('a/b', 'x');
      await rejectsWithCode(() => storage.getRange('a/missing'), 'STORAGE_NOT_FOUND');
      await rejectsWithCode(() => storage.getRange('a/missing', { start: 0, end: 0 }), 'STORAGE_NOT_FOUND');
      await rejectsWithCode(() => storage.getBytes('nothing/here.ts'), 'STORAGE_NOT_FOUND');
      await rejectsWithCode(() => storage.getBytes('a'), 'STORAGE_NOT_FOUND');
    });

    test('every method rejects an invalid key with STORAGE_INVALID_KEY', async () => {
      const storage = await freshStorage();
      for (const key of ['', '/abs', 'a/../b', '..', 'a\\b', 'a\0b', 'a//b', 'dir/', 'x'.repeat(1025)]) {
        await rejectsWithCode(() => storage.put(key, 'x'), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.getRange(key), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.getBytes(key), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.head(key), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.deleteMany(['fine', key]), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.copy(key, 'fine'), 'STORAGE_INVALID_KEY');
        await rejectsWithCode(() => storage.copy('fine', key), 'STORAGE_INVALID_KEY');
      }
      await rejectsWithCode(() => listKeys(storage, '../'), 'STORAGE_INVALID_KEY');
      assert.deepEqual(await listKeys(storage, ''), [], 'nothing was written');
    });

    test('concurrent puts to different keys all land whole', async () => {
      const storage = await freshStorage();
      const sizes = [0, 1, 100_000, 700_001, 3 * MIB];
      await Promise.all(sizes.map((size, seed) => storage.put(`c/${seed}.bin`, noiseStream(size, seed))));
      for (const [seed, size] of sizes.entries()) {
        const read = await sha256OfStream(await storage.getRange(`c/${seed}.bin`));
        assert.deepEqual(read, { hash: sha256Of(noiseChunks(size, seed)), size });
      }
    });

    test('a body stream that fails midway leaves no object and rejects with STORAGE_FAILED', async () => {
      const storage = await freshStorage();
      await rejectsWithCode(() => storage.put('broken/0.ts', failingStream(64 * 1024)), 'STORAGE_FAILED');
      assert.equal(await storage.head('broken/0.ts'), undefined);
      assert.deepEqual(await listKeys(storage, ''), []);
    });
  });
}

/** A real date from this century: drivers must not hand back epoch 0 or an unparsed string. */
function isPlausibleDate(value: Date | undefined): boolean {
  return value instanceof Date && value.getTime() > Date.UTC(2020, 0, 1);
}

function describeRoundTrips(freshStorage: () => Promise<ObjectStorage>): void {
  test('round-trips empty bodies given as a string, bytes and a stream', async () => {
    const storage = await freshStorage();
    await storage.put('empty/string', '');
    await storage.put('empty/bytes', new Uint8Array(0));
    await storage.put('empty/stream', Readable.from([]));
    for (const key of ['empty/string', 'empty/bytes', 'empty/stream']) {
      assert.equal((await storage.getBytes(key)).length, 0, key);
      assert.equal((await storage.head(key))?.size, 0, key);
    }
  });

  test('round-trips a small body and replaces it on a second put', async () => {
    const storage = await freshStorage();
    await storage.put('playlists/v1/index.m3u8', SMALL_BODY, { contentType: 'application/vnd.apple.mpegurl' });
    assert.equal((await storage.getBytes('playlists/v1/index.m3u8')).toString(), SMALL_BODY);
    await storage.put('playlists/v1/index.m3u8', Buffer.from('second'));
    assert.equal((await storage.getBytes('playlists/v1/index.m3u8')).toString(), 'second');
  });

  test('round-trips a multi-MiB body streamed in uneven chunks of unknown length', async () => {
    const storage = await freshStorage();
    await storage.put('sources/big.mp4', noiseStream(LARGE_BODY_BYTES, 7));
    const read = await sha256OfStream(await storage.getRange('sources/big.mp4'));
    assert.deepEqual(read, { hash: sha256Of(noiseChunks(LARGE_BODY_BYTES, 7)), size: LARGE_BODY_BYTES });
    assert.equal((await storage.head('sources/big.mp4'))?.size, LARGE_BODY_BYTES);
  });
}

function describeRanges(freshStorage: () => Promise<ObjectStorage>): void {
  const body = Buffer.from('0123456789abcdefghij');

  test('reads byte ranges: first byte, last byte, middle, open-ended, end past the object', async () => {
    const storage = await freshStorage();
    await storage.put('r/body', body);
    const cases = [
      { range: { start: 0, end: 0 }, expected: '0' },
      { range: { start: 19, end: 19 }, expected: 'j' },
      { range: { start: 5, end: 9 }, expected: '56789' },
      { range: { start: 15 }, expected: 'fghij' },
      { range: { start: 0 }, expected: body.toString() },
      { range: { start: 18, end: 1000 }, expected: 'ij' },
    ];
    for (const { range, expected } of cases) {
      assert.equal((await storage.getBytes('r/body', range)).toString(), expected, JSON.stringify(range));
    }
    const middle = await sha256OfStream(await storage.getRange('r/body', { start: 5, end: 9 }));
    assert.equal(middle.size, 5);
  });

  test('a range that starts past the end, or is malformed, is STORAGE_INVALID_RANGE', async () => {
    const storage = await freshStorage();
    await storage.put('r/body', body);
    for (const range of [{ start: 20 }, { start: 25, end: 30 }, { start: -1 }, { start: 4, end: 3 }, { start: 1.5 }]) {
      await rejectsWithCode(() => storage.getBytes('r/body', range), 'STORAGE_INVALID_RANGE');
    }
  });
}

function describeListing(freshStorage: () => Promise<ObjectStorage>, pageSize: number, exactKeyOrder: boolean): void {
  test(`lists a prefix in key order across pages of ${pageSize}`, async () => {
    const storage = await freshStorage();
    const inside = ['p/0', 'p/a/0.ts', 'p/a/1/deep.ts', 'p/ab', 'p/b/x', 'p/c', 'p/z', 'p/é.ts', 'p/ü/1.ts'];
    const outside = ['o/x', 'pa/x', 'q'];
    await forEachLimited([...inside, ...outside], 8, (key) => storage.put(key, key.repeat(3)));
    assert.ok(inside.length > pageSize * 2, 'the listing must span more than two pages');

    const listed = [];
    for await (const object of storage.list('p/')) listed.push(object);
    assert.deepEqual(listed.map((object) => object.key), inside);
    for (const object of listed) {
      assert.equal(object.size, Buffer.byteLength(object.key.repeat(3)));
      assert.ok(isPlausibleDate(object.lastModified));
    }
    assert.deepEqual(await listKeys(storage, 'p/a'), ['p/a/0.ts', 'p/a/1/deep.ts', 'p/ab']);
    assert.deepEqual(await listKeys(storage, 'p/a/'), ['p/a/0.ts', 'p/a/1/deep.ts']);
    assert.deepEqual(await listKeys(storage, 'nothing/'), []);
    assert.equal((await listKeys(storage, '')).length, inside.length + outside.length);
  });

  if (!exactKeyOrder) return;
  test('lists "a-b/…" and "a.ts" before "a/…" (UTF-8 order, not a directory walk)', async () => {
    const storage = await freshStorage();
    const keys = ['t/a/0.ts', 't/a0', 't/a.ts', 't/a-b/1'];
    await forEachLimited(keys, 8, (key) => storage.put(key, key));
    assert.deepEqual(await listKeys(storage, 't/'), [...keys].sort(compareKeys));
    assert.deepEqual(await listKeys(storage, 't/'), ['t/a-b/1', 't/a.ts', 't/a/0.ts', 't/a0']);
  });
}
