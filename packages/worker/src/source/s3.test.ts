/**
 * Against a real S3 API (s3rver): how many range requests and bytes it takes to open a moov-at-end
 * file, and how much of a 60 s file a transcode that starts in its middle reads.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createS3Storage, runFfmpeg, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir, sampleMediaFile, startS3 } from '@kiln/shared/testing';
import { seekHold, serveView } from './endpoint.js';
import { viewUrlInputArgs } from './ffmpeg-input.js';
import { openFastStartView } from './open.js';
import { countingReader, storageRangeReader, STREAM_RESUMES } from './range-reader.js';
import { PREFIX_READ_BYTES } from './scan.js';
import { makeTestMp4 } from '../testing/mp4.js';

let s3: Awaited<ReturnType<typeof startS3>>;
let storage: ObjectStorage;
let dir: string;

before(async () => {
  [s3, dir] = await Promise.all([startS3(), makeTempDir('faststart-s3')]);
  storage = createS3Storage(s3);
});
after(async () => {
  await Promise.all([s3.stop(), removeTempDir(dir)]);
});

test('opening a moov-at-end phone-style file takes 2 range requests: a 64 KiB prefix and the tail from the moov on', async () => {
  const bytes = await readFile(sampleMediaFile('h264-aac-moov-at-end-15s.mp4'));
  await storage.put('sources/phone.mp4', bytes);
  const reader = countingReader(await storageRangeReader(storage, 'sources/phone.mp4'));
  const view = await openFastStartView(reader);
  assert.equal(view.plan.relocated, true);
  const moovStart = bytes.length - view.moovSize;
  assert.deepEqual(reader.stats, { reads: 2, bytes: PREFIX_READ_BYTES + (bytes.length - moovStart) });
  // The view's first bytes (ftyp … moov) come from what the scan read: no further request.
  await view.read(0, view.moovEndInView);
  assert.equal(reader.stats.reads, 2);
});

test('a transcode that starts in the middle of a 60 s file reads less than 60 % of its media bytes', async (context) => {
  const path = join(dir, 'sixty.mp4');
  await makeTestMp4(path, { seconds: 60, bitrate: '2M' });
  await storage.put('sources/sixty.mp4', await readFile(path));
  const reader = countingReader(await storageRangeReader(storage, 'sources/sixty.mp4'));
  const view = await openFastStartView(reader);
  const mediaBytes = reader.size - view.moovSize;
  const endpoint = await serveView(view.plan, reader, { seekHold: seekHold(view.moovEndInView) });
  try {
    const { stdout } = await runFfmpeg(['-v', 'error', '-nostdin', ...viewUrlInputArgs(endpoint.url, { seekSeconds: 30 }), '-map', '0', '-c', 'copy', '-f', 'mpegts', 'pipe:1']);
    assert.ok(stdout.length > mediaBytes / 3, `ffmpeg wrote ${stdout.length} bytes of the second half`);
  } finally {
    await endpoint.close();
  }
  const share = reader.stats.bytes / mediaBytes;
  context.diagnostic(`seek to 30 s of 60 s: ${reader.stats.reads} range reads, ${reader.stats.bytes} of ${mediaBytes} media bytes (${(share * 100).toFixed(1)} %)`);
  assert.ok(share < 0.6, `read ${(share * 100).toFixed(1)} % of the media bytes`);
});

/** The storage, with its first `cuts` GETs of more than `after` bytes cut by a reset after `after` bytes. */
function cutting(inner: ObjectStorage, cuts: number, after: number): { storage: ObjectStorage; gets: () => number } {
  let gets = 0;
  let left = cuts;
  async function* cut(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let passed = 0;
    for await (const chunk of body) {
      yield chunk.subarray(0, after - passed);
      passed += Math.min(chunk.length, after - passed);
      if (passed >= after) throw new Error('connection reset by the fault injector');
    }
  }
  const getRange: ObjectStorage['getRange'] = async (key, range) => {
    gets++;
    const body = await inner.getRange(key, range);
    if (range?.end === undefined || range.end - range.start + 1 <= after || left <= 0) return body;
    left--;
    return Readable.from(cut(body as AsyncIterable<Buffer>), { objectMode: false });
  };
  return { storage: { ...inner, getRange }, gets: () => gets };
}

test('the media after the moov comes in one streamed request; a cut one goes on from where it stopped', async () => {
  const bytes = await readFile(sampleMediaFile('h264-aac-moov-at-end-15s.mp4'));
  await storage.put('sources/cut.mp4', bytes);
  const whole = await openFastStartView(await storageRangeReader(storage, 'sources/cut.mp4'));
  const expected = await whole.read(0, whole.plan.size);
  for (const cuts of [0, 2]) {
    const faulty = cutting(storage, cuts, 100_000);
    const reader = countingReader(await storageRangeReader(faulty.storage, 'sources/cut.mp4'));
    const view = await openFastStartView(reader);
    const getsBefore = faulty.gets();
    const streamed: Buffer[] = [];
    for await (const chunk of view.stream({ start: 0, growAfterBytes: 0 })) streamed.push(chunk as Buffer);
    assert.ok(Buffer.concat(streamed).equals(expected), `the same bytes with ${cuts} cuts`);
    assert.equal(faulty.gets() - getsBefore, 1 + cuts, 'one GET for the media, one more per cut');
  }
});

test('a stream that is cut over and over without progress fails with SOURCE_READ_FAILED', async () => {
  await storage.put('sources/dead.mp4', await readFile(sampleMediaFile('h264-aac-moov-at-end-15s.mp4')));
  const faulty = cutting(storage, 100, 0);
  const reader = await storageRangeReader(faulty.storage, 'sources/dead.mp4');
  const read = async () => {
    for await (const chunk of reader.stream!(0, 500_000)) void chunk;
  };
  await assert.rejects(read, (error: { code?: string }) => error.code === 'SOURCE_READ_FAILED');
  assert.equal(faulty.gets(), 1 + STREAM_RESUMES);
});
