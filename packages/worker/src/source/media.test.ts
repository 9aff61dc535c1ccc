/**
 * The view decodes to exactly the packets of its source (`ffprobe -show_packets -show_data_hash`,
 * field by field; `pos` must be the source position mapped into the view), for every MP4/MOV/3GP
 * of the shared media folder and for layouts made here: co64, several mdats with a uuid between,
 * a 64-bit mdat header, a last box of size 0, chunk offsets past 4 GiB, and a stco the move pushes
 * past 4 GiB. The broken files of the folder give typed errors.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, removeTempDir, sampleMediaDirectory } from '@kiln/shared/testing';
import { serveView } from './endpoint.js';
import { SourceErrors, type SourceErrorCode } from './errors.js';
import { viewUrlInputArgs } from './ffmpeg-input.js';
import { parseMoov, readChunkOffsets, rewriteMoov } from './moov.js';
import { openFastStartView, type FastStartView } from './open.js';
import { bufferRangeReader, fileRangeReader, type RangeReader } from './range-reader.js';
import { scanTopLevel } from './scan.js';
import { makeTestMp4, packetDifferences, probePackets, syntheticReader, type Packet } from '../testing/mp4.js';
import { viewRangeReader } from './view.js';

const BROKEN: Readonly<Record<string, SourceErrorCode>> = {
  'corrupt-mp4-malformed-free-box.mp4': 'SOURCE_BOX_INVALID',
  'truncated-moov-at-end-no-moov.mp4': 'SOURCE_TRUNCATED',
  'truncated-faststart-mid-mdat.mp4': 'SOURCE_TRUNCATED',
  'mpegts-content-with-mp4-ext.mp4': 'SOURCE_NOT_MP4',
  'webm-content-with-mp4-ext.mp4': 'SOURCE_NOT_MP4',
};

let dir: string;
let moovAtEnd: Buffer;
let fastStart: Buffer;

before(async () => {
  dir = await makeTempDir('faststart');
  await makeTestMp4(join(dir, 'end.mp4'), { seconds: 4 });
  await makeTestMp4(join(dir, 'first.mp4'), { seconds: 2, faststart: true });
  moovAtEnd = await readFile(join(dir, 'end.mp4'));
  fastStart = await readFile(join(dir, 'first.mp4'));
});
after(() => removeTempDir(dir));

const sourcePackets = (path: string) => probePackets(['-protocol_whitelist', 'file', '-i', path]);

async function viewPackets(view: FastStartView, reader: RangeReader): Promise<Packet[]> {
  const endpoint = await serveView(view.plan, reader);
  try {
    return await probePackets(viewUrlInputArgs(endpoint.url));
  } finally {
    await endpoint.close();
  }
}

/** Moov before any media in the view, and the same packets as `expected` (positions mapped by `toSource`). */
async function assertViewMatches(reader: RangeReader, expected: Packet[], toSource: (pos: number) => number = (pos) => pos): Promise<FastStartView> {
  const view = await openFastStartView(reader);
  const layout = (await scanTopLevel(viewRangeReader(view.plan, reader))).boxes.map((box) => box.type);
  assert.ok(!layout.slice(0, layout.indexOf('moov')).includes('mdat'), `moov after media: ${layout.join(' ')}`);
  const packets = await viewPackets(view, reader);
  assert.ok(packets.length > 0, 'ffprobe found packets');
  assert.deepEqual(packetDifferences(expected, packets, (pos) => view.plan.sourceToView(toSource(pos))), []);
  return view;
}

async function assertFileViewMatches(path: string): Promise<FastStartView> {
  const reader = await fileRangeReader(path);
  try {
    return await assertViewMatches(reader, await sourcePackets(path));
  } finally {
    await reader.close();
  }
}

test('every MP4/MOV/3GP of the media folder: same packets, or a typed error for the broken ones', async () => {
  const names = (await readdir(sampleMediaDirectory())).filter((name) => /\.(mp4|mov|3gp|m4a)$/i.test(name)).sort();
  assert.ok(names.length >= 30, `found ${names.length} files in ${sampleMediaDirectory()}`);
  let relocated = 0;
  for (const name of names) {
    const path = join(sampleMediaDirectory(), name);
    const code = BROKEN[name];
    if (code !== undefined) {
      const reader = await fileRangeReader(path);
      await assert.rejects(openFastStartView(reader), (error) => SourceErrors.is(error, code), name).finally(() => reader.close());
      continue;
    }
    const view = await assertFileViewMatches(path).catch((error: unknown) => assert.fail(`${name}: ${String(error)}`));
    if (view.plan.relocated) relocated++;
  }
  assert.ok(relocated >= 20, `${relocated} files had their moov moved`);
});

/** The source with its moov rewritten in place by `mapping` (data inserted before `at`…); the moov stays at the end. */
function editMoovAtEnd(file: Buffer, edit: { at: number; insert: Buffer; patch?: (out: Buffer) => void }, promoteAll = false): Promise<Buffer> {
  return scanTopLevel(bufferRangeReader(file)).then((scan) => {
    const shift = edit.insert.length;
    const moov = rewriteMoov(parseMoov(scan.moovBytes), (offset) => (offset >= edit.at ? offset + shift : offset), { promoteAll });
    const out = Buffer.concat([file.subarray(0, edit.at), edit.insert, file.subarray(edit.at, scan.moov.start), moov]);
    edit.patch?.(out);
    return out;
  });
}

async function assertVariantMatches(name: string, bytes: Buffer): Promise<FastStartView> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return assertFileViewMatches(path);
}

test('made here: moov at the end, co64, split mdat with a uuid between, 64-bit mdat header, last box of size 0', async () => {
  assert.equal((await assertVariantMatches('end-copy.mp4', moovAtEnd)).plan.relocated, true);
  const scan = await scanTopLevel(bufferRangeReader(moovAtEnd));
  const mdat = scan.boxes.find((box) => box.type === 'mdat');
  assert.ok(mdat !== undefined);

  const co64 = await editMoovAtEnd(moovAtEnd, { at: 0, insert: Buffer.alloc(0) }, true);
  assert.deepEqual(parseMoov((await scanTopLevel(bufferRangeReader(co64))).moovBytes).tables.map((t) => t.kind), ['co64', 'co64']);
  await assertVariantMatches('co64.mp4', co64);

  // Split the mdat at a chunk start (so no chunk is cut) and put a uuid box between the halves.
  const moov = parseMoov(scan.moovBytes);
  const offsets = readChunkOffsets(moov, moov.tables[0]);
  const splitAt = offsets[Math.floor(offsets.length / 2)];
  const uuid = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('uuid'), Buffer.alloc(16, 7)]);
  const secondHeader = Buffer.concat([Buffer.alloc(4), Buffer.from('mdat')]);
  secondHeader.writeUInt32BE(mdat.start + mdat.size - splitAt + 8, 0);
  const split = await editMoovAtEnd(moovAtEnd, {
    at: splitAt,
    insert: Buffer.concat([uuid, secondHeader]),
    patch: (out) => out.writeUInt32BE(splitAt - mdat.start, mdat.start),
  });
  const splitLayout = (await scanTopLevel(bufferRangeReader(split))).boxes.map((box) => box.type);
  assert.deepEqual(splitLayout.slice(-4), ['mdat', 'uuid', 'mdat', 'moov']);
  await assertVariantMatches('split.mp4', split);

  // The same mdat with a 16-byte header: size32 = 1, then the 64-bit size.
  const large = await editMoovAtEnd(moovAtEnd, {
    at: mdat.start + 8,
    insert: Buffer.alloc(8),
    patch: (out) => {
      out.writeUInt32BE(1, mdat.start);
      out.writeBigUInt64BE(BigInt(mdat.size + 8), mdat.start + 8);
    },
  });
  await assertVariantMatches('largesize.mp4', large);

  // ffmpeg's +faststart writes ftyp moov free mdat: the mdat is the last box, so it may say size 0.
  const firstScan = await scanTopLevel(bufferRangeReader(fastStart));
  const moovEnd = firstScan.moov.start + firstScan.moov.size;
  const mdatStart = moovEnd + fastStart.readUInt32BE(moovEnd);
  assert.equal(fastStart.toString('latin1', mdatStart + 4, mdatStart + 8), 'mdat');
  assert.equal(mdatStart + fastStart.readUInt32BE(mdatStart), fastStart.length);
  const toEnd = Buffer.from(fastStart);
  toEnd.writeUInt32BE(0, mdatStart);
  assert.equal((await assertVariantMatches('size0.mp4', toEnd)).plan.relocated, false);
});

/** The 4 s file with `zeros` bytes inserted at the start of its mdat payload, behind a 64-bit mdat header. */
async function farAwaySource(zeros: number): Promise<{ reader: RangeReader; delta: number; sourceMoovKinds: string[] }> {
  const scan = await scanTopLevel(bufferRangeReader(moovAtEnd));
  const mdat = scan.boxes.find((box) => box.type === 'mdat');
  assert.ok(mdat !== undefined && mdat.start + mdat.size === scan.moov.start);
  const payload = moovAtEnd.subarray(mdat.start + mdat.headerSize, mdat.start + mdat.size);
  const delta = 16 + zeros - mdat.headerSize;
  const moov = rewriteMoov(parseMoov(scan.moovBytes), (offset) => offset + delta);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write('mdat', 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + zeros + payload.length), 8);
  const reader = syntheticReader([moovAtEnd.subarray(0, mdat.start), header, { zeros }, payload, moov]);
  return { reader, delta, sourceMoovKinds: parseMoov(moov).tables.map((table) => table.kind) };
}

test('chunk offsets past 4 GiB (a synthetic 4.5 GiB source with co64)', async () => {
  const { reader, delta, sourceMoovKinds } = await farAwaySource(4.5 * 2 ** 30);
  assert.deepEqual(sourceMoovKinds, ['co64', 'co64']);
  await assertViewMatches(reader, await sourcePackets(join(dir, 'end.mp4')), (pos) => pos + delta);
});

test('a stco that fits in the source but not once the moov moves in front is promoted to co64', async () => {
  const original = parseMoov((await scanTopLevel(bufferRangeReader(moovAtEnd))).moovBytes);
  const largest = Math.max(...original.tables.flatMap((table) => readChunkOffsets(original, table)));
  const mdat = (await scanTopLevel(bufferRangeReader(moovAtEnd))).boxes.find((box) => box.type === 'mdat');
  assert.ok(mdat !== undefined);
  // Put the last chunk 100 bytes below 4 GiB: the moov (far more than 100 bytes) pushes it over.
  const zeros = 0xffffffff - 100 - largest + mdat.headerSize - 16;
  const { reader, delta, sourceMoovKinds } = await farAwaySource(zeros);
  assert.deepEqual(sourceMoovKinds, ['stco', 'stco']);
  const view = await assertViewMatches(reader, await sourcePackets(join(dir, 'end.mp4')), (pos) => pos + delta);
  const viewMoov = parseMoov(await view.read(view.moovEndInView - view.viewMoovSize, view.viewMoovSize));
  assert.ok(viewMoov.tables.some((table) => table.kind === 'co64'), 'a table was promoted');
});
