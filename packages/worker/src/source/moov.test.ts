import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceErrors } from './errors.js';
import { largestChunkOffset, parseMoov, readChunkOffsets, rewriteMoov } from './moov.js';
import { box, co64, moovWith, stco } from '../testing/mp4.js';

const shiftBy = (delta: number) => (offset: number) => offset + delta;

test('parseMoov finds one chunk offset table per track', () => {
  const moov = parseMoov(moovWith(stco([100, 200]), co64([300])));
  assert.deepEqual(moov.tables.map((table) => [table.kind, table.entryCount]), [['stco', 2], ['co64', 1]]);
  assert.deepEqual(moov.tables.map((table) => readChunkOffsets(moov, table)), [[100, 200], [300]]);
  assert.equal(largestChunkOffset(moov), 300);
});

test('a moov that does not parse is SOURCE_MOOV_INVALID', () => {
  const cases = {
    'no trak': box('moov', box('mvhd', Buffer.alloc(20))),
    'child overruns': Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('moov'), Buffer.from([0, 0, 0, 40]), Buffer.from('trak'), Buffer.alloc(8)]),
    'trak without stbl': box('moov', box('trak', box('mdia', box('minf')))),
    'stco count larger than the table': (() => {
      const bad = moovWith(stco([1, 2]));
      bad.writeUInt32BE(1000, bad.length - 12);
      return bad;
    })(),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    assert.throws(() => parseMoov(bytes), (error) => SourceErrors.is(error, 'SOURCE_MOOV_INVALID'), name);
  }
});

test('rewriteMoov shifts every offset and keeps the moov size when nothing is promoted', () => {
  const original = moovWith(stco([100, 200]), co64([300]));
  const rewritten = parseMoov(rewriteMoov(parseMoov(original), (offset, newSize) => offset + newSize));
  assert.equal(rewritten.bytes.length, original.length);
  assert.deepEqual(rewritten.tables.map((table) => readChunkOffsets(rewritten, table)), [[100 + original.length, 200 + original.length], [300 + original.length]]);
  // Boxes off the path (mvhd, tkhd, stsd) are copied byte for byte.
  assert.deepEqual(rewritten.bytes.subarray(8, 36), original.subarray(8, 36));
});

test('a stco whose shifted offsets pass 4 GiB becomes a co64, and the shift counts the larger moov', () => {
  const nearLimit = 0xffffffff - 50;
  const original = moovWith(stco([10, nearLimit]), stco([20]));
  const rewritten = parseMoov(rewriteMoov(parseMoov(original), (offset, newSize) => offset + newSize));
  assert.deepEqual(rewritten.tables.map((table) => table.kind), ['co64', 'stco']);
  assert.equal(rewritten.bytes.length, original.length + 2 * 4);
  const newSize = rewritten.bytes.length;
  assert.deepEqual(readChunkOffsets(rewritten, rewritten.tables[0]), [10 + newSize, nearLimit + newSize]);
  assert.deepEqual(readChunkOffsets(rewritten, rewritten.tables[1]), [20 + newSize]);
});

test('promotion that pushes another table over the limit promotes that one too', () => {
  // The second table only overflows once the first one's promotion has grown the moov.
  const original = moovWith(stco(Array.from({ length: 100 }, () => 0xffffffff - 299)), stco([0xffffffff - 699]));
  const mapping = (offset: number, newSize: number) => offset + newSize - original.length + 300;
  assert.ok(mapping(0xffffffff - 699, original.length) <= 0xffffffff, 'the second table fits before the first is promoted');
  const rewritten = parseMoov(rewriteMoov(parseMoov(original), mapping));
  assert.deepEqual(rewritten.tables.map((table) => table.kind), ['co64', 'co64']);
});

test('promoteAll writes co64 tables with the same offsets', () => {
  const original = moovWith(stco([5, 6]));
  const rewritten = parseMoov(rewriteMoov(parseMoov(original), shiftBy(0), { promoteAll: true }));
  assert.equal(rewritten.tables[0].kind, 'co64');
  assert.deepEqual(readChunkOffsets(rewritten, rewritten.tables[0]), [5, 6]);
});

test('a box named like a container off the checked path is copied as it is, not opened', () => {
  // Found by fuzzing: a trak's udta renamed "mdia" made the rewrite open it and throw an untyped error.
  const notBoxes = box('mdia', Buffer.from('\u00a9nam a title', 'latin1'));
  const original = box('moov', box('trak', box('mdia', box('minf', box('stbl', stco([100])))), notBoxes));
  const rewritten = parseMoov(rewriteMoov(parseMoov(original), shiftBy(1000)));
  assert.deepEqual(readChunkOffsets(rewritten, rewritten.tables[0]), [1100]);
  assert.ok(rewritten.bytes.includes(notBoxes), 'the off-path box is kept byte for byte');
});

test('a table of millions of chunk offsets is read in place, not copied into arrays', () => {
  const entries = 4_000_000;
  const moov = parseMoov(moovWith(stco(Array.from({ length: entries }, (_, i) => 1000 + i))));
  const heapBefore = process.memoryUsage().heapUsed;
  assert.equal(largestChunkOffset(moov), 1000 + entries - 1);
  const rewritten = rewriteMoov(moov, (offset, newSize) => offset + newSize);
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  // Arrays of the offsets would take 32 MB of heap per pass; the output is a Buffer (off the heap).
  assert.ok(heapGrowth < 8 * 1024 * 1024, `heap grew by ${Math.round(heapGrowth / 1024 / 1024)} MB`);
  assert.equal(rewritten.length, moov.bytes.length);
});
