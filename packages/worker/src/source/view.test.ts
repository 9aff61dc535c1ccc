import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { parseMoov, readChunkOffsets } from './moov.js';
import { openFastStartView } from './open.js';
import { slicesOf, identityPlan } from './plan.js';
import { bufferRangeReader, countingReader } from './range-reader.js';
import { scanTopLevel } from './scan.js';
import { box, box64, ftyp, moovWith, stco } from '../testing/mp4.js';
import { viewRangeReader } from './view.js';

/** ftyp, a 64-bit mdat "AAAA…", a meta, a second mdat "BBBB…", the moov (chunks at each mdat's payload), a trailing free. */
function moovAtEndFile(): { file: Buffer; chunkOffsets: number[] } {
  const prefix = Buffer.concat([ftyp(), box('free', Buffer.alloc(4))]);
  const mdat1 = box64('mdat', Buffer.alloc(3000, 'A'));
  const meta = box('meta', Buffer.alloc(10));
  const mdat2 = box('mdat', Buffer.alloc(2000, 'B'));
  const chunkOffsets = [prefix.length + 16, prefix.length + 16 + 1500, prefix.length + mdat1.length + meta.length + 8];
  return { file: Buffer.concat([prefix, mdat1, meta, mdat2, moovWith(stco(chunkOffsets.slice(0, 2)), stco(chunkOffsets.slice(2))), box('free', Buffer.alloc(7))]), chunkOffsets };
}

test('the view puts the moov after the leading boxes and every chunk offset still finds its bytes', async () => {
  const { file, chunkOffsets } = moovAtEndFile();
  const view = await openFastStartView(bufferRangeReader(file));
  const bytes = await view.read(0, view.plan.size);
  assert.equal(bytes.length, file.length);
  const scanned = await scanTopLevel(bufferRangeReader(bytes));
  assert.deepEqual(scanned.boxes.map((b) => b.type), ['ftyp', 'free', 'moov']);
  const moov = parseMoov(scanned.moovBytes);
  const viewOffsets = moov.tables.flatMap((table) => readChunkOffsets(moov, table));
  assert.deepEqual(viewOffsets.map((offset) => bytes.toString('latin1', offset, offset + 4)), ['AAAA', 'AAAA', 'BBBB']);
  assert.deepEqual(viewOffsets, chunkOffsets.map((offset) => view.plan.sourceToView(offset)));
});

test('the whole view, read back as a file, has the boxes of the source in fast-start order', async () => {
  const { file } = moovAtEndFile();
  const view = await openFastStartView(bufferRangeReader(file));
  const viewAsFile = await scanTopLevel(viewRangeReader(view.plan, bufferRangeReader(file)));
  assert.deepEqual(viewAsFile.boxes.map((b) => b.type), ['ftyp', 'free', 'moov']);
  const streamed = Buffer.from(await text(view.stream({ chunkBytes: 100 })), 'latin1');
  assert.equal(streamed.length, view.plan.size);
});

test('streamed in small chunks or read at any range, the view gives the same bytes', async () => {
  const { file } = moovAtEndFile();
  const view = await openFastStartView(bufferRangeReader(file));
  const whole = await view.read(0, view.plan.size);
  const chunks: Buffer[] = [];
  for await (const chunk of view.stream({ chunkBytes: 333 })) chunks.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(chunks), whole);
  for (const [start, end] of [[0, 10], [5, 900], [1000, 4000], [view.plan.size - 50, view.plan.size]]) {
    const part: Buffer[] = [];
    for await (const chunk of view.stream({ start, end, chunkBytes: 64 })) part.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(part), whole.subarray(start, end), `${start}-${end}`);
  }
});

test('the first byte of a moov-at-end view needs no read beyond the scan', async () => {
  const { file } = moovAtEndFile();
  const reader = countingReader(bufferRangeReader(file));
  const view = await openFastStartView(reader);
  const readsToOpen = reader.stats.reads;
  await view.read(0, view.moovEndInView);
  assert.equal(reader.stats.reads, readsToOpen);
});

test('a moov-first or fragmented source is its own view', async () => {
  const fastStart = Buffer.concat([ftyp(), moovWith(stco([100])), box('mdat', Buffer.alloc(200))]);
  const view = await openFastStartView(bufferRangeReader(fastStart));
  assert.equal(view.plan.relocated, false);
  assert.deepEqual(await view.read(0, view.plan.size), fastStart);
  const fragmented = Buffer.concat([ftyp(), moovWith(stco([])), box('moof'), box('mdat', Buffer.alloc(10)), box('mfra')]);
  assert.equal((await openFastStartView(bufferRangeReader(fragmented))).plan.relocated, false);
});

test('slicesOf maps a view range onto its pieces and clips at the end', () => {
  const plan = identityPlan(100);
  assert.deepEqual(slicesOf(plan, 90, 200).map((slice) => [slice.from, slice.length]), [[90, 10]]);
  assert.deepEqual(slicesOf(plan, 100, 200), []);
});

test('a stream that keeps being read doubles its reads up to the limit once past the threshold, and gives the same bytes', async () => {
  const source = Buffer.concat([ftyp(), box('mdat', Buffer.alloc(20_000, 'M')), moovWith(stco([40]))]);
  const view = await openFastStartView(bufferRangeReader(source));
  const whole = await view.read(0, view.plan.size);
  const start = view.moovEndInView;
  const sizes: number[] = [];
  for await (const chunk of view.stream({ start, chunkBytes: 100, maxChunkBytes: 1600, growAfterBytes: 300 })) sizes.push((chunk as Buffer).length);
  assert.deepEqual(sizes.slice(0, 7), [100, 100, 100, 200, 400, 800, 1600]);
  assert.ok(sizes.slice(7, -1).every((size) => size === 1600), 'reads stay at the limit');
  assert.equal(sizes.reduce((a, b) => a + b, 0), view.plan.size - start);
  const again: Buffer[] = [];
  for await (const chunk of view.stream({ start, chunkBytes: 100, maxChunkBytes: 1600 })) again.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(again), whole.subarray(start));
});
