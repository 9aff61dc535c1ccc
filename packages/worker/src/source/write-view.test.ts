/**
 * The view written to a file descriptor (the path `kiln faststart` and the bench take) holds the
 * same bytes as the view read by range, whatever the chunk size and whether the reader fills
 * caller buffers or returns its own; a real MP4 written this way probes to the source's packets.
 */
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { writeFastStartFile } from './file-copy.js';
import { openFastStartView } from './open.js';
import { bufferRangeReader, fileRangeReader, type RangeReader } from './range-reader.js';
import { scanTopLevel } from './scan.js';
import { box, box64, ftyp, makeTestMp4, moovWith, packetDifferences, probePackets, stco } from '../testing/mp4.js';
import { writeViewTo } from './write-view.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('write-view');
});
after(() => removeTempDir(dir));

/** ftyp, a 64-bit mdat, a uuid, a second mdat, then the moov: two source pieces around the new moov. */
function moovAtEndFile(firstMdatBytes = 3000): Buffer {
  const prefix = ftyp();
  const mdat1 = box64('mdat', Buffer.alloc(firstMdatBytes, 'A'));
  const uuid = box('uuid', Buffer.alloc(16, 7));
  const mdat2 = box('mdat', Buffer.alloc(2000, 'B'));
  const offsets = [prefix.length + 16, prefix.length + mdat1.length + uuid.length + 8];
  return Buffer.concat([prefix, mdat1, uuid, mdat2, moovWith(stco(offsets))]);
}

async function writtenBytes(reader: RangeReader, chunkBytes: number, readAhead: number): Promise<{ written: Buffer; expected: Buffer; count: number }> {
  const view = await openFastStartView(reader);
  const path = join(dir, `out-${chunkBytes}-${readAhead}.bin`);
  const output = await open(path, 'w');
  const count = await view.writeTo(output.fd, { chunkBytes, readAhead }).finally(() => output.close());
  return { written: await readFile(path), expected: await view.read(0, view.plan.size), count };
}

test('written to an fd in any chunk size and read-ahead, the view has the bytes a range read gives', async () => {
  const file = moovAtEndFile();
  const path = join(dir, 'end.bin');
  await writeFile(path, file);
  for (const [chunkBytes, readAhead] of [[1, 1], [7, 2], [100, 3], [1000, 2], [1 << 20, 4]]) {
    const what = `${chunkBytes}-byte chunks, ${readAhead} ahead`;
    const local = await fileRangeReader(path);
    const fromFile = await writtenBytes(local, chunkBytes, readAhead).finally(() => local.close());
    assert.equal(fromFile.count, file.length);
    assert.deepEqual(fromFile.written, fromFile.expected, `file reader (reused buffers), ${what}`);
    const fromMemory = await writtenBytes(bufferRangeReader(file), chunkBytes, readAhead);
    assert.deepEqual(fromMemory.written, fromFile.expected, `buffer reader, ${what}`);
  }
});

test('chunks larger than one write to a file (4 MiB reads, 1 MiB writes) keep their order', async () => {
  const payloadBytes = 9 * 1024 * 1024 + 123;
  const file = moovAtEndFile(payloadBytes);
  // Every 4 KiB of the media says where it is, so a slice written out of order shows.
  const payloadStart = ftyp().length + 16;
  for (let at = payloadStart; at + 4 <= payloadStart + payloadBytes; at += 4096) file.writeUInt32BE(at, at);
  const path = join(dir, 'large.bin');
  await writeFile(path, file);
  const local = await fileRangeReader(path);
  const { written, expected } = await writtenBytes(local, 4 * 1024 * 1024, 2).finally(() => local.close());
  assert.ok(written.equals(expected));
});

test('a read that fails mid-copy rejects the copy with its error', async () => {
  const file = moovAtEndFile();
  const inner = bufferRangeReader(file);
  const view = await openFastStartView(inner);
  let reads = 0;
  const failing: RangeReader = {
    size: inner.size,
    read: (offset, length) => (++reads === 3 ? Promise.reject(new Error('disk gone')) : inner.read(offset, length)),
  };
  const output = await open(join(dir, 'failed.bin'), 'w');
  await assert.rejects(writeViewTo(view.plan, failing, output.fd, { chunkBytes: 500 }), /disk gone/).finally(() => output.close());
});

test('kiln faststart’s copy of a moov-at-end MP4: moov first, the source’s packets, first byte after the opening reads', async () => {
  const source = join(dir, 'source.mp4');
  const copy = join(dir, 'copy.mp4');
  await makeTestMp4(source, { seconds: 3 });
  const result = await writeFastStartFile(source, copy, { chunkBytes: 64 * 1024 });
  assert.equal(result.view.plan.relocated, true);
  assert.ok(result.readsBeforeFirstByte <= 3, `${result.readsBeforeFirstByte} reads before the first byte`);
  const copied = await fileRangeReader(copy);
  const layout = (await scanTopLevel(copied).finally(() => copied.close())).boxes.map((b) => b.type);
  assert.ok(layout.includes('moov') && !layout.slice(0, layout.indexOf('moov')).includes('mdat'), layout.join(' '));
  const expected = await probePackets(['-protocol_whitelist', 'file', '-i', source]);
  const actual = await probePackets(['-protocol_whitelist', 'file', '-i', copy]);
  assert.deepEqual(packetDifferences(expected, actual, (pos) => result.view.plan.sourceToView(pos)), []);
});
