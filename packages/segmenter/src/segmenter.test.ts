import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SegmenterError, isSegmenterError } from './errors.js';
import { boundariesFromDurations } from './duration-boundaries.js';
import { Segmenter } from './segmenter.js';
import { segmentBytes, type Segment } from './segment.js';
import { segmentStream } from './stream.js';
import { PMT_PID } from './testing/builders.js';
import { assertConservation, assertContinuity, assertStartsWithPsi, packetsOf, runSegmenter } from './testing/checks.js';
import { synthetic } from './testing/synthetic.js';

const relative = { boundaryPts: boundariesFromDurations([2, 2, 3, 3, 4, 4, 5]), origin: 'relative' as const };

function assertWellFormed(input: Uint8Array, segments: readonly Segment[]): void {
  assertConservation(packetsOf(input), segments);
  for (const s of segments) {
    assertStartsWithPsi(s, PMT_PID);
    assertContinuity(s);
  }
}

test('H.264 at 25 fps: 2,2,3,3 s segments, each on an IDR, on schedule', () => {
  const stream = synthetic({ frames: 250 });
  const { segments } = runSegmenter(stream.bytes, relative);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 3, 3]);
  assert.deepEqual(segments.map((s) => s.index), [0, 1, 2, 3]);
  assert.deepEqual(segments.map((s) => s.startPts), [0, 2, 4, 7].map((t) => 126_000 + t * 90_000));
  assert.ok(segments.every((s) => s.startsWithKeyframe && s.onSchedule && !s.forced));
  assertWellFormed(stream.bytes, segments);
});

test('the same segments whatever the chunk sizes', () => {
  const stream = synthetic({ frames: 120, audio: true });
  const reference = runSegmenter(stream.bytes, relative, stream.bytes.length).segments.map(segmentBytes);
  for (const chunkSize of [1, 7, 187, 188, 189, 1000, 4096]) {
    const { segments } = runSegmenter(stream.bytes, relative, chunkSize);
    assert.deepEqual(segments.map(segmentBytes), reference, `chunk size ${chunkSize}`);
    assertWellFormed(stream.bytes, segments);
  }
});

test('HEVC streams are cut at IRAP pictures', () => {
  const stream = synthetic({ codec: 'hevc', frames: 200, frameTicks: 1800, keyEvery: 50 });
  const { segments } = runSegmenter(stream.bytes, relative);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2]);
  assert.ok(segments.every((s) => s.startsWithKeyframe && s.onSchedule));
  assertWellFormed(stream.bytes, segments);
});

test('audio-only streams are cut at the first AAC PES at or after each boundary', () => {
  const stream = synthetic({ codec: 'none', frames: 250, frameTicks: 1920 * 2 });
  const { segments } = runSegmenter(stream.bytes, relative);
  // PES every 3840 ticks: 2 s = 180000 ticks is not a multiple, so cuts land on the next PES.
  assert.deepEqual(segments.map((s) => s.startPts! - 126_000), [0, 180_480, 360_960, 633_600, 902_400]);
  assert.equal(segments.reduce((n, s) => n + s.durationTicks, 0), 250 * 3840);
  assert.ok(segments.every((s) => s.startsWithKeyframe));
  assertWellFormed(stream.bytes, segments);
});

test('a segment is emitted as soon as the next one has begun', () => {
  const stream = synthetic({ frames: 100 });
  const segmenter = new Segmenter(relative);
  const seen: number[] = [];
  for (let at = 0; at < stream.bytes.length; at += 188) {
    if (segmenter.push(stream.bytes.subarray(at, at + 188)).length > 0) seen.push(at);
    if (seen.length === 1) break;
  }
  // Segment 0 closes within the first packets of frame 50 (the IDR at 2 s), not later.
  const frame50 = stream.bytes.indexOf(0x65, (stream.bytes.length * 49) / 100);
  assert.equal(seen.length, 1);
  assert.ok(seen[0] < frame50 + 188 * 2, `closed at byte ${seen[0]}`);
});

test('the async-iterable adapter pulls chunks only as segments are consumed', async () => {
  const stream = synthetic({ frames: 250 });
  let pulled = 0;
  function* chunks(): Generator<Uint8Array> {
    for (let at = 0; at < stream.bytes.length; at += 4096) {
      pulled++;
      yield stream.bytes.slice(at, at + 4096);
    }
  }
  const iterator = segmentStream(chunks(), relative);
  const first = await iterator.next();
  assert.equal(first.done, false);
  const pulledForFirst = pulled;
  assert.ok(pulledForFirst < Math.ceil(stream.bytes.length / 4096) / 2, 'did not read ahead');
  const rest: Segment[] = [];
  for await (const s of iterator) rest.push(s);
  assert.equal(rest.length, 3);
});

test('push after flush is a typed error; bad options are rejected', () => {
  const segmenter = new Segmenter(relative);
  segmenter.flush();
  assert.throws(() => segmenter.push(new Uint8Array(188)), (e) => isSegmenterError(e, 'SEGMENTER_CLOSED'));
  assert.throws(() => new Segmenter({ ...relative, maxSegmentBytes: 0 }), SegmenterError);
  assert.throws(() => boundariesFromDurations([2, 0]), (e) => isSegmenterError(e, 'INVALID_SCHEDULE'));
});

test('empty input gives no segment and no issue', () => {
  const { segments, segmenter } = runSegmenter(new Uint8Array(0), relative);
  assert.equal(segments.length, 0);
  assert.deepEqual(segmenter.stats.issues, {});
});
