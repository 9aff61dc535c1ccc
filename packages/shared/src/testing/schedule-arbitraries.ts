/**
 * fast-check generators for the schedule's property tests (test-only; not exported from index.ts).
 */
import fc from 'fast-check';
import type { Rational } from '../schedule/rational.js';
import { rational, toRational } from '../schedule/rational.js';
import { boundarySecond } from '../schedule/segment-schedule.js';

export const NTSC = rational(30000, 1001);
export const FILM = rational(24000, 1001);

const TEN_HOURS = 36_000;
const SHORTEST = 0.05;

/** The rates people meet, written both as ffprobe fractions and as rounded decimals. */
const COMMON_FRAME_RATES: readonly Rational[] = [
  NTSC, FILM, rational(60000, 1001), rational(25), rational(24), rational(30), rational(60),
  rational(23976, 1000), rational(2997, 100), rational(5994, 100), rational(50), rational(48), rational(15),
];

/** A common rate, or any fraction between 10 and 120 fps. */
export const anyFrameRate: fc.Arbitrary<Rational> = fc.oneof(
  fc.constantFrom(...COMMON_FRAME_RATES),
  fc.integer({ min: 1, max: 1001 }).chain((den) =>
    fc.integer({ min: 10 * den, max: 120 * den }).map((num) => rational(num, den)),
  ),
);

const floatSeconds = fc.double({ min: SHORTEST, max: TEN_HOURS, noNaN: true }).map((seconds) => toRational(seconds));

/** Durations as a container states them: whole ticks of a time base. */
const tickSeconds = fc
  .constantFrom(1000, 12_800, 24_000, 30_000, 90_000, 1_000_000)
  .chain((timebase) =>
    fc.integer({ min: Math.ceil(SHORTEST * timebase), max: TEN_HOURS * timebase }).map((ticks) => rational(ticks, timebase)),
  );

/** Durations on, just before and just after a boundary, where off-by-one errors live. */
const nearBoundary = fc
  .tuple(fc.integer({ min: 1, max: 7190 }), fc.integer({ min: -50_000, max: 50_000 }))
  .map(([k, microseconds]) => rational(boundarySecond(k) * 1_000_000 + microseconds, 1_000_000));

export const anyDuration: fc.Arbitrary<Rational> = fc.oneof(floatSeconds, tickSeconds, nearBoundary);
