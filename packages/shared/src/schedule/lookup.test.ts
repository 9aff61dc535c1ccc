import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { multiply, parseRational, rational, round, toNumber } from './rational.js';
import { planAudioSchedule, planVideoSchedule } from './segment-schedule.js';
import {
  extinf,
  forceKeyFramesArgument,
  formatSeconds,
  keyframeTimes,
  segmentAt,
  segmentIndexForTime,
  seekTime,
  targetDuration,
} from './lookup.js';
import { anyDuration, anyFrameRate, FILM, NTSC } from '../testing/schedule-arbitraries.js';

test('segmentAt returns the segment or refuses an index outside the plan', () => {
  const plan = planVideoSchedule(30, rational(25));
  assert.equal(segmentAt(plan, 7).boundary, 23);
  assert.throws(() => segmentAt(plan, 9), RangeError);
  assert.throws(() => segmentAt(plan, 1.5), RangeError);
  assert.throws(() => segmentAt(plan, -1), RangeError);
});

test('seeking starts at the frame that opens the segment, not at its boundary', () => {
  const plan = planVideoSchedule(60, NTSC);
  assert.equal(formatSeconds(seekTime(plan, 4)), '10.01');
  assert.equal(formatSeconds(seekTime(plan, 0)), '0');
  assert.equal(formatSeconds(seekTime(planAudioSchedule(60), 4)), '10');
});

test('a time between a boundary and its first frame belongs to the previous segment', () => {
  const plan = planVideoSchedule(60, NTSC);
  assert.equal(segmentIndexForTime(plan, 10), 3);
  assert.equal(segmentIndexForTime(plan, 10.01), 4);
  assert.equal(segmentIndexForTime(plan, rational(1001, 100)), 4);
  assert.equal(segmentIndexForTime(plan, 0), 0);
  assert.equal(segmentIndexForTime(plan, -0.001), undefined);
  assert.equal(segmentIndexForTime(plan, toNumber(plan.duration)), undefined);
  assert.equal(segmentIndexForTime(plan, Number.NaN), undefined);
});

test('target duration is the largest EXTINF rounded, per RFC 8216', () => {
  assert.equal(targetDuration(planVideoSchedule(60, NTSC)), 5);
  assert.equal(targetDuration(planVideoSchedule(7, rational(25))), 3);
  assert.equal(targetDuration(planAudioSchedule(23.4)), 5, '5.4 s rounds down to 5');
  assert.equal(targetDuration(planVideoSchedule(0.05, NTSC)), 1, 'never 0');
});

test('keyframes of a run from segment 4 at 23.976 fps match what ffmpeg 5.1 encoded', () => {
  // Run with -ss 10.01 and -output_ts_offset 20.01: key frames came out at 20.01, 21.011, 22.012, 23.013.
  const plan = planVideoSchedule(rational(607607, 24000), FILM);
  assert.equal(forceKeyFramesArgument(plan, 4).split(',').slice(0, 4).join(','), '0,1.001,2.002,3.003');
  assert.equal(keyframeTimes(plan, 4).length, 16, 'seconds 10…25 each have a first frame');
  assert.equal(forceKeyFramesArgument(plan, 4, 5), '0,1.001,2.002,3.003');
  assert.throws(() => keyframeTimes(plan, 4, 4), RangeError);
});

test('property: segmentIndexForTime agrees with the starts', () => {
  fc.assert(
    fc.property(anyDuration, anyFrameRate, fc.nat(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (duration, rate, pick, fraction) => {
        const plan = planVideoSchedule(duration, rate);
        const k = pick % plan.segments.length;
        const segment = segmentAt(plan, k);
        assert.equal(segmentIndexForTime(plan, segment.start), k);
        assert.equal(segmentIndexForTime(plan, toNumber(segment.start)), k);
        const justBefore = rational(2 * segment.start.num - 1, 2 * segment.start.den);
        if (k > 0) assert.equal(segmentIndexForTime(plan, justBefore), k - 1);
        const inside = toNumber(segment.start) + fraction * toNumber(segment.duration);
        const expected = inside < toNumber(segment.end) ? k : k + 1;
        assert.equal(segmentIndexForTime(plan, inside), expected < plan.segments.length ? expected : undefined);
      }),
    { numRuns: 300 },
  );
});

test('property: keyframes cover every boundary and sit on the first frame of whole seconds', () => {
  fc.assert(
    fc.property(anyDuration, anyFrameRate, fc.nat(), (duration, rate, pick) => {
      const plan = planVideoSchedule(duration, rate);
      const from = pick % plan.segments.length;
      const until = Math.min(plan.segments.length, from + 1 + (pick % 40));
      const start = segmentAt(plan, from);
      const times = keyframeTimes(plan, from, until);
      const frames = times.map((time) => start.firstFrame + round(multiply(time, rate)));
      assert.deepEqual(times[0], rational(0));
      for (let i = 1; i < frames.length; i += 1) assert.ok((frames[i] ?? 0) > (frames[i - 1] ?? 0), 'increasing');
      for (const segment of plan.segments.slice(from, until)) assert.ok(frames.includes(segment.firstFrame));
      const parsed = forceKeyFramesArgument(plan, from, until).split(',').map(parseRational);
      // ffmpeg reads microseconds and rounds to the nearest frame: each must land on its frame.
      assert.deepEqual(parsed.map((time) => start.firstFrame + round(multiply(time, rate))), frames);
    }),
    { numRuns: 200 },
  );
});

test('property: every EXTINF is within the target duration', () => {
  fc.assert(
    fc.property(anyDuration, anyFrameRate, (duration, rate) => {
      const plan = planVideoSchedule(duration, rate);
      const target = targetDuration(plan);
      assert.ok(plan.segments.every((segment) => round(parseRational(extinf(segment))) <= target));
      assert.ok(target <= 5, 'at 10 fps or more, one frame past 5 s still rounds to 5');
    }),
    { numRuns: 200 },
  );
});

