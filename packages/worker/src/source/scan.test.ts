import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceErrors, type SourceErrorCode } from './errors.js';
import { bufferRangeReader, countingReader } from './range-reader.js';
import { MAX_TOP_LEVEL_BOXES, PREFIX_READ_BYTES, scanTopLevel } from './scan.js';
import { box, box64, ftyp, moovWith, stco } from '../testing/mp4.js';

const scan = (file: Buffer) => {
  const reader = countingReader(bufferRangeReader(file));
  return { result: scanTopLevel(reader), stats: reader.stats };
};

async function rejectsWith(file: Buffer, code: SourceErrorCode): Promise<void> {
  await assert.rejects(scanTopLevel(bufferRangeReader(file)), (error) => SourceErrors.is(error, code));
}

test('a moov-first file is scanned up to its moov in one read', async () => {
  const file = Buffer.concat([ftyp(), moovWith(stco([100])), box('mdat', Buffer.alloc(200_000))]);
  const { result, stats } = scan(file);
  const scanned = await result;
  assert.deepEqual(scanned.boxes.map((b) => b.type), ['ftyp', 'moov']);
  assert.equal(stats.reads, 1);
});

test('a moov at the end of a large file takes two reads: the prefix and the tail', async () => {
  const file = Buffer.concat([ftyp(), box('free'), box('mdat', Buffer.alloc(5_000_000)), moovWith(stco([100]))]);
  const { result, stats } = scan(file);
  const scanned = await result;
  assert.deepEqual(scanned.boxes.map((b) => b.type), ['ftyp', 'free', 'mdat', 'moov']);
  assert.deepEqual(scanned.moovBytes, moovWith(stco([100])));
  assert.equal(stats.reads, 2);
  assert.ok(stats.bytes < PREFIX_READ_BYTES + 1024 * 1024, `read ${stats.bytes} bytes`);
});

test('a moov larger than the tail read costs one more read, for its missing part only', async () => {
  const bigMoov = moovWith(stco(Array.from({ length: 400_000 }, (_, i) => i + 100)));
  const file = Buffer.concat([ftyp(), box('mdat', Buffer.alloc(3_000_000)), bigMoov]);
  const { result, stats } = scan(file);
  assert.deepEqual((await result).moovBytes, bigMoov);
  assert.equal(stats.reads, 3);
  assert.ok(stats.bytes < PREFIX_READ_BYTES + bigMoov.length + 100, `read ${stats.bytes} bytes`);
});

test('64-bit sizes, several mdats, free/uuid/meta boxes and a last box of size 0 are walked', async () => {
  const lastToEnd = Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('free'), Buffer.alloc(30)]);
  const file = Buffer.concat([
    ftyp(), box('uuid', Buffer.alloc(16)), box64('mdat', Buffer.alloc(100_000)), box('meta', Buffer.alloc(12)),
    box('mdat', Buffer.alloc(70_000)), moovWith(stco([100])), box('skip'), lastToEnd,
  ]);
  const scanned = await scan(file).result;
  assert.deepEqual(scanned.boxes.map((b) => b.type), ['ftyp', 'uuid', 'mdat', 'meta', 'mdat', 'moov', 'skip', 'free']);
  assert.equal(scanned.boxes[2].headerSize, 16);
  assert.equal(scanned.boxes.at(-1)?.toEnd, true);
});

test('a moof marks the file fragmented', async () => {
  const file = Buffer.concat([ftyp(), box('mdat', Buffer.alloc(10)), box('moof'), box('mdat'), moovWith(stco([]))]);
  assert.equal((await scan(file).result).fragmented, true);
});

test('broken files give typed errors', async () => {
  await rejectsWith(Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n'), 'SOURCE_NOT_MP4');
  await rejectsWith(Buffer.alloc(4), 'SOURCE_NOT_MP4');
  await rejectsWith(Buffer.concat([box('RIFF', Buffer.alloc(40))]), 'SOURCE_NOT_MP4');
  // cut inside the mdat: the moov that followed is gone
  await rejectsWith(Buffer.concat([ftyp(), box('mdat', Buffer.alloc(1000))]).subarray(0, 600), 'SOURCE_TRUNCATED');
  // cut inside the moov's header, and inside the moov
  const moovAtEnd = Buffer.concat([ftyp(), box('mdat', Buffer.alloc(100)), moovWith(stco([1]))]);
  await rejectsWith(moovAtEnd.subarray(0, 20 + 108 + 5), 'SOURCE_TRUNCATED');
  await rejectsWith(moovAtEnd.subarray(0, moovAtEnd.length - 1), 'SOURCE_TRUNCATED');
  await rejectsWith(Buffer.concat([ftyp(), box('mdat', Buffer.alloc(100))]), 'SOURCE_NO_MOOV');
  const tinyFree = Buffer.concat([ftyp(), Buffer.from([0, 0, 0, 3]), Buffer.from('free'), Buffer.alloc(20)]);
  await rejectsWith(tinyFree, 'SOURCE_BOX_INVALID');
  // a box that is not an mdat claiming more than the file holds
  const overlong = Buffer.concat([ftyp(), box('mdat', Buffer.alloc(10)), moovWith(stco([40])), Buffer.from([0, 1, 0, 0]), Buffer.from('free')]);
  await rejectsWith(overlong, 'SOURCE_BOX_INVALID');
  await rejectsWith(Buffer.concat([ftyp(), box('mdat', Buffer.alloc(10)), moovWith(stco([30])), moovWith(stco([30]))]), 'SOURCE_MOOV_INVALID');
});

test('a box header cut by the end of the first read is read again in full', async () => {
  // Found by fuzzing: the cut header was looked up in the first read again, and the file refused as truncated.
  for (let cut = 1; cut < 8; cut++) {
    const head = Buffer.concat([ftyp(), box('free')]);
    const mdat = box('mdat', Buffer.alloc(PREFIX_READ_BYTES - cut - head.length - 8));
    const file = Buffer.concat([head, mdat, moovWith(stco([head.length + 8]))]);
    const scanned = await scan(file).result;
    assert.deepEqual(scanned.boxes.map((b) => b.type), ['ftyp', 'free', 'mdat', 'moov'], `header cut ${cut} bytes in`);
  }
});

test('a flood of tiny top-level boxes is refused after MAX_TOP_LEVEL_BOXES, in a few reads', async () => {
  // 4 million 8-byte boxes took 19 s, 474 reads and 400 MB of headers before the limit.
  const flood = (count: number) => {
    const boxes = Buffer.alloc(8 * count);
    for (let i = 0; i < count; i++) boxes.write('\0\0\0\x08free', 8 * i, 'latin1');
    return Buffer.concat([ftyp(), box('mdat', Buffer.alloc(100)), boxes, moovWith(stco([40]))]);
  };
  assert.equal((await scan(flood(MAX_TOP_LEVEL_BOXES - 3)).result).boxes.length, MAX_TOP_LEVEL_BOXES);
  const { result, stats } = scan(flood(2 * MAX_TOP_LEVEL_BOXES));
  await assert.rejects(result, (error) => SourceErrors.is(error, 'SOURCE_BOX_INVALID'));
  assert.ok(stats.reads <= 20, `${stats.reads} reads`);
});
