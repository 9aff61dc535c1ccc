import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Rational } from './rational.js';
import { compare, periodsOf, rational, subtract, toNumber } from './rational.js';
import {
  boundarySecond,
  nominalSegmentSeconds,
  planAudioSchedule,
  planVideoSchedule,
  totalFrameCount,
} from './segment-schedule.js';
import { extinf } from './lookup.js';
import { anyDuration, anyFrameRate, NTSC, FILM } from '../testing/schedule-arbitraries.js';

test('the schedule ramps 2,2,3,3,4,4 and then stays at 5', () => {
  assert.deepEqual(
    Array.from({ length: 10 }, (_, k) => boundarySecond(k)),
    [0, 2, 4, 7, 10, 14, 18, 23, 28, 33],
  );
  assert.equal(nominalSegmentSeconds(5), 4);
  assert.equal(nominalSegmentSeconds(7200), 5);
  assert.throws(() => boundarySecond(-1), RangeError);
});

// Frame counts ffmpeg 5.1 gave here (`-i source.mp4 -vf fps=RATE -f null -`), source duration exact.
const MEASURED_FFMPEG_FRAME_COUNTS: ReadonlyArray<[duration: Rational, rate: Rational, frames: number]> = [
  [rational(183, 25), NTSC, 219], // 25 fps source, 7.32 s
  [rational(77, 25), NTSC, 92],
  [rational(251, 25), NTSC, 301],
  [rational(38, 25), NTSC, 46],
  [rational(176, 24), NTSC, 220], // 24 fps source
  [rational(74, 24), NTSC, 92],
  [rational(241, 24), NTSC, 301],
  [rational(438, 60), NTSC, 219], // 60 fps source
  [rational(601, 60), NTSC, 300],
  [periodsOf(219, NTSC), NTSC, 219], // same rate
  [periodsOf(93, NTSC), NTSC, 93],
  [rational(183, 25), FILM, 176],
  [rational(183, 25), rational(60), 439],
  [rational(183, 25), rational(50), 366],
  [rational(365, 50), FILM, 175],
  [periodsOf(219, NTSC), rational(25), 183],
  [periodsOf(219, NTSC), FILM, 175],
  [rational(51, 50), rational(25), 26], // exactly half a frame over: rounds up
  [rational(27, 24), rational(60), 68], // 67.5 → 68
  [rational(5, 24), rational(60), 13], // 12.5 → 13 (0.208333 s as a decimal would give 12)
  [rational(1302301, 60000), NTSC, 651], // 650.5 → 651 (59.94 fps source)
  [rational(125, 24), NTSC, 156],
  [rational(3, 60), NTSC, 1],
  [rational(300, 60), rational(50), 250],
  [rational(99, 30), rational(15), 50],
  [rational(2, 100), NTSC, 1],
  [rational(1, 100), NTSC, 0], // under half a frame: no frame at all
  [rational(1, 60), NTSC, 0],
];

test('total frame count agrees with what ffmpeg 5.1 measured', () => {
  for (const [duration, rate, frames] of MEASURED_FFMPEG_FRAME_COUNTS) {
    assert.equal(totalFrameCount(duration, rate), frames, `${duration.num}/${duration.den} s at ${rate.num}/${rate.den}`);
  }
});

test('7.3 s at 29.97 fps: ramp segments exact to the frame, the tail from the duration', () => {
  const plan = planVideoSchedule(7.3, NTSC);
  assert.equal(plan.totalFrames, 219);
  assert.deepEqual(
    plan.segments.map((s) => [s.boundary, s.firstFrame, s.frameCount, extinf(s)]),
    [
      [0, 0, 60, '2.002000'],
      [2, 60, 60, '2.002000'],
      [4, 120, 90, '3.003000'],
      [7, 210, 9, '0.300300'],
    ],
  );
  assert.deepEqual(plan.segments[3]?.start, rational(7007, 1000));
});

test('a source shorter than the first segment is one segment', () => {
  const plan = planVideoSchedule(0.05, NTSC);
  assert.equal(plan.segments.length, 1);
  assert.equal(plan.segments[0]?.frameCount, 1); // 1.4985 frames round to 1, as ffmpeg measured
});

test('a source under half a frame is refused: no frame to play', () => {
  assert.throws(() => planVideoSchedule(0.01, NTSC), /shorter than half a frame/);
  assert.throws(() => planVideoSchedule(0, NTSC), RangeError);
});

test('a duration on a boundary leaves no empty last segment', () => {
  const at25 = planVideoSchedule(10, rational(25));
  assert.deepEqual(at25.segments.map((s) => s.frameCount), [50, 50, 75, 75]);
  const atNtsc = planVideoSchedule(10, NTSC); // 299.7 frames round to 300, frame 300 opens second 10
  assert.deepEqual(atNtsc.segments.map((s) => s.frameCount), [60, 60, 90, 90]);
  const audio = planAudioSchedule(10);
  assert.deepEqual(audio.segments.map((s) => toNumber(s.duration)), [2, 2, 3, 3]);
});

test('a tail of one frame is its own segment; under half a frame it does not exist', () => {
  assert.deepEqual(planVideoSchedule(10.04, rational(25)).segments.map((s) => s.frameCount), [50, 50, 75, 75, 1]);
  assert.equal(planVideoSchedule(10.019, rational(25)).segments.length, 4);
});

test('audio tails shorter than one AAC frame join the previous segment', () => {
  const merged = planAudioSchedule(23.01);
  assert.deepEqual(merged.segments.map(extinf).slice(-1), ['5.010000']);
  assert.equal(merged.segments.length, 7);
  const kept = planAudioSchedule(23.03);
  assert.deepEqual(kept.segments.map(extinf).slice(-2), ['5.000000', '0.030000']);
  assert.equal(planAudioSchedule(0.001).segments.length, 1, 'a tiny source still has one segment');
  assert.equal(planAudioSchedule(23.01, { sampleRate: 8000 }).segments.length, 7);
});

test('frame rates must be between 1 and 1000 fps', () => {
  assert.throws(() => planVideoSchedule(10, rational(1, 2)), RangeError);
  assert.throws(() => planVideoSchedule(10, rational(1001)), RangeError);
  assert.doesNotThrow(() => planVideoSchedule(10, rational(1)));
});

function checkVideoPlan(duration: Rational, rate: Rational): void {
  const plan = planVideoSchedule(duration, rate);
  const frame = periodsOf(1, rate);
  const expectedTotal = (2n * BigInt(duration.num) * BigInt(rate.num) + BigInt(duration.den) * BigInt(rate.den))
    / (2n * BigInt(duration.den) * BigInt(rate.den));
  assert.equal(BigInt(plan.totalFrames), expectedTotal);
  let nextFrame = 0;
  for (const [k, segment] of plan.segments.entries()) {
    assert.equal(segment.index, k);
    assert.equal(segment.boundary, boundarySecond(k));
    assert.equal(segment.firstFrame, nextFrame, 'contiguous');
    assert.ok(segment.frameCount >= 1);
    // First frame at or after the boundary: f·den ≥ t·num > (f−1)·den.
    const boundaryTicks = BigInt(segment.boundary) * BigInt(rate.num);
    assert.ok(BigInt(segment.firstFrame) * BigInt(rate.den) >= boundaryTicks);
    assert.ok(BigInt(segment.firstFrame - 1) * BigInt(rate.den) < boundaryTicks);
    assert.deepEqual(segment.start, periodsOf(segment.firstFrame, rate));
    assert.deepEqual(segment.duration, periodsOf(segment.frameCount, rate));
    const offRamp = subtract(segment.duration, rational(nominalSegmentSeconds(k)));
    const withinOneFrame = compare(offRamp, frame) < 0 && compare(rational(-frame.num, frame.den), offRamp) < 0;
    assert.ok(k === plan.segments.length - 1 || withinOneFrame, `segment ${k} strays from the ramp`);
    nextFrame += segment.frameCount;
  }
  assert.equal(nextFrame, plan.totalFrames, 'frame counts add up');
  assert.deepEqual(plan.segments.at(-1)?.end, plan.duration);
  const nextBoundary = boundarySecond(plan.segments.length);
  assert.ok(BigInt(nextBoundary) * BigInt(rate.num) > BigInt(plan.totalFrames - 1) * BigInt(rate.den), 'no segment missing');
  const last = plan.segments.at(-1);
  const lastLimit = rational(nominalSegmentSeconds(plan.segments.length - 1) * frame.den + frame.num, frame.den);
  assert.ok(last !== undefined && compare(last.duration, lastLimit) < 0, 'the last segment is at most its ramp length');
}

test('property: video plans are contiguous, complete and exact to the frame', () => {
  fc.assert(fc.property(anyDuration, anyFrameRate, (duration, rate) => checkVideoPlan(duration, rate)), {
    numRuns: 300,
  });
});

test('property: audio plans are contiguous, follow the ramp and end at the duration', () => {
  fc.assert(
    fc.property(anyDuration, (duration) => {
      const plan = planAudioSchedule(duration);
      let expectedStart = rational(0);
      for (const [k, segment] of plan.segments.entries()) {
        assert.equal(segment.index, k);
        assert.deepEqual(segment.start, expectedStart);
        assert.deepEqual(segment.start, rational(boundarySecond(k)));
        if (k < plan.segments.length - 1) assert.deepEqual(segment.duration, rational(nominalSegmentSeconds(k)));
        expectedStart = segment.end;
      }
      assert.deepEqual(expectedStart, duration, 'the last segment ends at the duration');
    }),
    { numRuns: 300 },
  );
});

test('a plan asked for again is the one made before, however its inputs are written; others are new', () => {
  const film = planVideoSchedule(7200.5, NTSC);
  assert.equal(planVideoSchedule(rational(14401, 2), rational(30000, 1001)), film, 'the same exact inputs');
  assert.notEqual(planVideoSchedule(7200.5, FILM), film, 'another frame rate');
  assert.notEqual(planVideoSchedule(7200, NTSC), film, 'another duration');
  const audio = planAudioSchedule(7.32);
  assert.equal(planAudioSchedule(rational(183, 25), { sampleRate: 48_000 }), audio);
  assert.notEqual(planAudioSchedule(7.32, { sampleRate: 44_100 }), audio, 'another sample rate');
  assert.notEqual(planAudioSchedule(7.32), planVideoSchedule(7.32, NTSC), 'audio and video plans are apart');
  assert.throws(() => planVideoSchedule(0, NTSC), RangeError, 'a refusal is not remembered as a plan');
});

test('the plans kept are bounded by their segments, and the one asked least recently goes first', () => {
  const early = planVideoSchedule(7201.25, NTSC);
  const kept = planVideoSchedule(7202.25, NTSC);
  for (let film = 1; film <= 40; film += 1) {
    planVideoSchedule(7300 + film, NTSC); // 40 plans of ~1,450 segments: past the bound of 50,000
    assert.equal(planVideoSchedule(7202.25, NTSC), kept, 'asked again each time, so kept');
  }
  assert.notEqual(planVideoSchedule(7201.25, NTSC), early, 'not asked since: made again');
});
