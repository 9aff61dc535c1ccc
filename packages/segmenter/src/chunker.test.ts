import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chunker, type SegmentTiming } from './chunker.js';
import { isSegmenterError } from './errors.js';
import { boundariesFromDurations } from './duration-boundaries.js';

const SCHEDULE = boundariesFromDurations([2, 2, 3, 3, 4, 4, 5]);

/** Feeds frames at `fps` from `startPts`, key frames where `isKey` says; returns all closed segments. */
function feed(chunker: Chunker, frames: number, frameTicks: number, startPts: number, isKey: (i: number) => boolean): SegmentTiming[] {
  const closed: SegmentTiming[] = [];
  for (let i = 0; i < frames; i++) {
    const segment = chunker.push({ pts: startPts + i * frameTicks, key: isKey(i) });
    if (segment !== undefined) closed.push(segment);
  }
  closed.push(chunker.finish());
  return closed;
}

test('relative origin: cuts at the first key frame at or after each boundary', () => {
  const chunker = new Chunker({ boundaryPts: SCHEDULE, origin: 'relative' });
  const segments = feed(chunker, 25 * 30, 3600, 1_000_000, (i) => i % 25 === 0);
  assert.deepEqual(segments.map((s) => s.durationTicks / 90_000), [2, 2, 3, 3, 4, 4, 5, 5, 2]);
  assert.deepEqual(segments.map((s) => s.index), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(segments.every((s) => s.onSchedule && s.startsWithKey));
});

test('absolute origin: the first index is found from the first PTS', () => {
  const base = 10 * 90_000;
  const boundaryPts = boundariesFromDurations([2, 2, 3, 3, 4, 4, 5], base);
  const chunker = new Chunker({ boundaryPts, origin: 'absolute' });
  // A run that starts at segment 4 (t = 10 s).
  const segments = feed(chunker, 25 * 9, 3600, base + 10 * 90_000, (i) => i % 25 === 0);
  assert.deepEqual(segments.map((s) => s.index), [4, 5, 6]);
  assert.deepEqual(segments.map((s) => s.durationTicks / 90_000), [4, 4, 1]);
});

test('a boundary without a key frame makes a long segment reported off schedule', () => {
  const chunker = new Chunker({ boundaryPts: SCHEDULE, origin: 'relative' });
  // Keys every second except at 2 s.
  const segments = feed(chunker, 25 * 7, 3600, 0, (i) => i % 25 === 0 && i !== 50);
  assert.equal(segments[0].durationTicks, 3 * 90_000);
  assert.equal(segments[0].onSchedule, false);
  assert.equal(segments[1].index, 1);
  assert.equal(segments[1].plannedStartPts, 2 * 90_000);
  assert.equal(segments[1].startPts, 3 * 90_000);
  assert.equal(segments[1].onSchedule, false, 'started a whole second late');
});

test('a key frame more than a frame late is off schedule, a fraction of a frame is not', () => {
  const frame = 3003; // 29.97 fps: frame 60 is at 2.002 s, within a frame of the 2 s boundary
  const chunker = new Chunker({ boundaryPts: SCHEDULE, origin: 'relative' });
  const segments = feed(chunker, 30 * 5, frame, 0, (i) => i === 0 || i === 60 || i === 121);
  assert.equal(segments[1].startPts, 60 * frame);
  assert.equal(segments[0].onSchedule, true);
  assert.equal(segments[1].onSchedule, false, 'next starts at frame 121, one frame late');
  assert.equal(segments[2].onSchedule, false);
});

test('the last segment ends one frame after its last PTS, with B-frame order', () => {
  const chunker = new Chunker({ boundaryPts: SCHEDULE, origin: 'relative' });
  // Decode order I P B B P B B: PTS 0, 3, 1, 2, 6, 4, 5 (frames of 1000 ticks).
  for (const [pts, key] of [[0, true], [3, false], [1, false], [2, false], [6, false], [4, false], [5, false]] as const) {
    chunker.push({ pts: pts * 1000, key });
  }
  assert.equal(chunker.finish().durationTicks, 7000);
});

test('audio units with known durations end at the last unit plus its duration', () => {
  const chunker = new Chunker({ boundaryPts: SCHEDULE, origin: 'relative' });
  for (let i = 0; i < 10; i++) chunker.push({ pts: i * 1920, key: true, durationTicks: 1920 });
  assert.equal(chunker.finish().durationTicks, 19_200);
});

test('a schedule that does not increase is a typed error', () => {
  const chunker = new Chunker({ boundaryPts: () => 0, origin: 'relative' });
  assert.throws(() => chunker.push({ pts: 0, key: true }), (e) => isSegmenterError(e, 'INVALID_SCHEDULE'));
});

test('a run of a single frame lasts one frame when the caller gives the frame length, else nothing can be measured', () => {
  const base = 10 * 90_000;
  const boundaryPts = boundariesFromDurations([2, 2, 3], base);
  const known = new Chunker({ boundaryPts, origin: 'absolute', frameDurationTicks: 3000 });
  assert.deepEqual(feed(known, 1, 3000, base + 2 * 90_000, () => true).map((s) => [s.index, s.durationTicks]), [[1, 3000]]);
  const unknown = new Chunker({ boundaryPts, origin: 'absolute' });
  assert.deepEqual(feed(unknown, 1, 3000, base + 2 * 90_000, () => true).map((s) => [s.index, s.durationTicks]), [[1, 0]]);
  // Measured steps win over the given length.
  const measured = new Chunker({ boundaryPts, origin: 'absolute', frameDurationTicks: 9999 });
  assert.equal(feed(measured, 3, 3000, base, () => true).at(-1)?.durationTicks, 9000);
});
