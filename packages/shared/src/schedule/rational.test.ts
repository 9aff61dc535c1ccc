import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ceil,
  compare,
  floor,
  formatDecimal,
  formatShortDecimal,
  parseRational,
  periodsOf,
  rational,
  round,
  subtract,
  toRational,
} from './rational.js';

test('fractions are reduced and keep a positive denominator', () => {
  assert.deepEqual(rational(60000, 2002), { num: 30000, den: 1001 });
  assert.deepEqual(rational(0, 7), { num: 0, den: 1 });
  assert.throws(() => rational(1, 0), RangeError);
  assert.throws(() => rational(1.5, 2), RangeError);
});

test('ffprobe text parses exactly, decimals without a float in between', () => {
  assert.deepEqual(parseRational('30000/1001'), { num: 30000, den: 1001 });
  assert.deepEqual(parseRational('7.320000'), { num: 183, den: 25 });
  assert.deepEqual(parseRational('25'), { num: 25, den: 1 });
  assert.deepEqual(parseRational('0.1'), { num: 1, den: 10 });
  assert.throws(() => parseRational('N/A'), RangeError);
  assert.throws(() => parseRational('1e3'), RangeError);
});

test('seconds as numbers are taken to the microsecond', () => {
  assert.deepEqual(toRational(7.3), { num: 73, den: 10 });
  assert.deepEqual(toRational(0.208333), { num: 208333, den: 1000000 });
  assert.throws(() => toRational(Number.NaN), RangeError);
});

test('rounding follows ffmpeg: halves away from zero', () => {
  assert.equal(round(rational(51, 2)), 26);
  assert.equal(round(rational(-51, 2)), -26);
  assert.equal(round(rational(101, 4)), 25);
  assert.equal(ceil(rational(2997, 100)), 30);
  assert.equal(floor(rational(-1, 3)), -1);
  assert.equal(ceil(rational(-1, 3)), 0);
});

test('decimal text is exact and rounded half away from zero', () => {
  assert.equal(formatDecimal(rational(1001, 300), 6), '3.336667');
  assert.equal(formatDecimal(rational(1, 8), 2), '0.13');
  assert.equal(formatDecimal(rational(-1, 8), 2), '-0.13');
  assert.equal(formatDecimal(rational(7), 0), '7');
  assert.equal(formatShortDecimal(rational(1001, 100), 6), '10.01');
  assert.equal(formatShortDecimal(rational(10), 6), '10');
  assert.equal(formatShortDecimal(rational(0), 6), '0');
});

test('frame times do not drift over ten hours', () => {
  const rate = rational(30000, 1001);
  const frames = 36000 * 30; // a bit more than 10 h of 29.97 fps
  assert.deepEqual(periodsOf(frames, rate), rational(frames * 1001, 30000));
  assert.equal(compare(periodsOf(frames, rate), rational(36036)), 0);
});

test('exact arithmetic agrees with BigInt on large random fractions', () => {
  const part = fc.integer({ min: 1, max: 2 ** 26 });
  fc.assert(
    fc.property(part, part, part, part, (a, b, c, d) => {
      const left = BigInt(a) * BigInt(d);
      const right = BigInt(c) * BigInt(b);
      const sign = left < right ? -1 : left > right ? 1 : 0;
      assert.equal(compare(rational(a, b), rational(c, d)), sign);
      const difference = subtract(rational(a, b), rational(c, d));
      assert.equal(BigInt(difference.num) * BigInt(b) * BigInt(d), (left - right) * BigInt(difference.den));
    }),
  );
});
