/**
 * Exact rational numbers for media time. Frame rates such as 30000/1001 have no finite binary
 * expansion, so sums of float frame durations drift; every schedule quantity is kept as a reduced
 * fraction and multiplied in BigInt, then brought back to safe integers.
 */

export interface Rational {
  readonly num: number;
  readonly den: number;
}

/** A time given as seconds (taken exact to the microsecond, ffprobe's printed precision) or exactly. */
export type Seconds = number | Rational;

const MICROSECONDS = 1_000_000;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function toSafeNumber(value: bigint, what: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`${what} ${value} is not a safe integer`);
  return result;
}

/** Builds a reduced fraction from BigInt parts; the denominator must be positive. */
export function ratioOf(num: bigint, den: bigint): Rational {
  if (den <= 0n) throw new RangeError(`denominator ${den} must be positive`);
  const divisor = gcd(num, den);
  const reducedNum = divisor === 0n ? 0n : num / divisor;
  const reducedDen = divisor === 0n ? 1n : den / divisor;
  return { num: toSafeNumber(reducedNum, 'numerator'), den: toSafeNumber(reducedDen, 'denominator') };
}

/** `num/den` reduced; both must be safe integers and `den` positive. */
export function rational(num: number, den = 1): Rational {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) {
    throw new RangeError(`rational ${num}/${den} needs safe integers`);
  }
  return ratioOf(BigInt(num), BigInt(den));
}

/**
 * Parses `30000/1001`, `25`, or a decimal such as ffprobe's `7.320000`, exactly
 * (the decimal digits are kept, never rounded through a float).
 */
export function parseRational(text: string): Rational {
  const trimmed = text.trim();
  const fraction = /^(-?\d+)\/(\d+)$/.exec(trimmed);
  if (fraction) return ratioOf(BigInt(fraction[1] ?? ''), BigInt(fraction[2] ?? ''));
  const decimal = /^(-?)(\d+)(?:\.(\d*))?$/.exec(trimmed);
  if (!decimal) throw new RangeError(`"${text}" is not a number or a fraction`);
  const digits = decimal[3] ?? '';
  const magnitude = BigInt(`${decimal[2] ?? ''}${digits}`);
  return ratioOf(decimal[1] === '-' ? -magnitude : magnitude, 10n ** BigInt(digits.length));
}

/** A number of seconds becomes an exact fraction of microseconds; a Rational is kept as it is. */
export function toRational(value: Seconds): Rational {
  if (typeof value !== 'number') return rational(value.num, value.den);
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number of seconds`);
  return rational(Math.round(value * MICROSECONDS), MICROSECONDS);
}

export function toNumber(value: Rational): number {
  return value.num / value.den;
}

export function multiply(a: Rational, b: Rational): Rational {
  return ratioOf(BigInt(a.num) * BigInt(b.num), BigInt(a.den) * BigInt(b.den));
}

export function add(a: Rational, b: Rational): Rational {
  return ratioOf(BigInt(a.num) * BigInt(b.den) + BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den));
}

export function subtract(a: Rational, b: Rational): Rational {
  return ratioOf(BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den));
}

/** `whole · den / num`: the length of `whole` periods of a rate `num/den` (e.g. frames → seconds). */
export function periodsOf(whole: number, rate: Rational): Rational {
  return ratioOf(BigInt(whole) * BigInt(rate.den), BigInt(rate.num));
}

/** Sign of `a − b`, exactly. */
export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = BigInt(a.num) * BigInt(b.den);
  const right = BigInt(b.num) * BigInt(a.den);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function isPositive(value: Rational): boolean {
  return value.num > 0;
}

/** ⌈num/den⌉ for BigInt with a positive `den`. */
export function ceilDiv(num: bigint, den: bigint): bigint {
  const quotient = num / den;
  return quotient * den < num ? quotient + 1n : quotient;
}

/** ⌊num/den⌋ for BigInt with a positive `den`. */
export function floorDiv(num: bigint, den: bigint): bigint {
  const quotient = num / den;
  return quotient * den > num ? quotient - 1n : quotient;
}

/** Nearest integer, halves away from zero: what ffmpeg's av_rescale_q (AV_ROUND_NEAR_INF) does. */
export function roundHalfAwayDiv(num: bigint, den: bigint): bigint {
  return num < 0n ? -floorDiv(-2n * num + den, 2n * den) : floorDiv(2n * num + den, 2n * den);
}

export function ceil(value: Rational): number {
  return toSafeNumber(ceilDiv(BigInt(value.num), BigInt(value.den)), 'ceiling');
}

export function floor(value: Rational): number {
  return toSafeNumber(floorDiv(BigInt(value.num), BigInt(value.den)), 'floor');
}

export function round(value: Rational): number {
  return toSafeNumber(roundHalfAwayDiv(BigInt(value.num), BigInt(value.den)), 'rounding');
}

/**
 * Exact decimal text with `places` digits after the point, rounded half away from zero,
 * e.g. `formatDecimal({ num: 1001, den: 300 }, 6)` → `3.336667`. Used for EXTINF and ffmpeg times.
 */
export function formatDecimal(value: Rational, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = roundHalfAwayDiv(BigInt(value.num) * scale, BigInt(value.den));
  const sign = scaled < 0n ? '-' : '';
  const magnitude = scaled < 0n ? -scaled : scaled;
  const whole = (magnitude / scale).toString();
  if (places === 0) return `${sign}${whole}`;
  const fraction = (magnitude % scale).toString().padStart(places, '0');
  return `${sign}${whole}.${fraction}`;
}

/** Like formatDecimal, without trailing zeros (`2`, `0.967633`): keeps long ffmpeg lists short. */
export function formatShortDecimal(value: Rational, places: number): string {
  const text = formatDecimal(value, places);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
