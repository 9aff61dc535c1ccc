/**
 * 33-bit, 90 kHz PTS/DTS (ISO/IEC 13818-1 2.4.3.7). Values above 2^31 do not survive JS bit
 * operators, so the top bits are combined with multiplication and wrap is undone with arithmetic.
 */

export const CLOCK_HZ = 90_000;
export const TIMESTAMP_MODULUS = 8_589_934_592; // 2^33
const HALF_MODULUS = TIMESTAMP_MODULUS / 2;

/**
 * Reads the 5-byte timestamp field at `i`. Returns -1 when a marker bit is 0 (not a timestamp).
 * Bits 32..30 come from byte 0; bits 29..0 fit a 32-bit integer, so shifts are safe there.
 */
export function readTimestamp(buf: Uint8Array, i: number): number {
  const b0 = buf[i];
  const b2 = buf[i + 2];
  const b4 = buf[i + 4];
  if ((b0 & 1) === 0 || (b2 & 1) === 0 || (b4 & 1) === 0) return -1;
  const high = (b0 >> 1) & 0x07;
  const low = (buf[i + 1] << 22) | ((b2 >> 1) << 15) | (buf[i + 3] << 7) | (b4 >> 1);
  return high * 1_073_741_824 + low;
}

/** Writes a timestamp field (used by the test builders); `prefix` is the 4-bit '0010'/'0011'/'0001'. */
export function writeTimestamp(out: Uint8Array, i: number, prefix: number, value: number): void {
  const v = ((value % TIMESTAMP_MODULUS) + TIMESTAMP_MODULUS) % TIMESTAMP_MODULUS;
  const high = Math.floor(v / 1_073_741_824);
  const low = v % 1_073_741_824;
  out[i] = (prefix << 4) | (high << 1) | 1;
  out[i + 1] = (low >>> 22) & 0xff;
  out[i + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
  out[i + 3] = (low >>> 7) & 0xff;
  out[i + 4] = ((low & 0x7f) << 1) | 1;
}

/**
 * Turns wrapping 33-bit timestamps into a continuous timeline: each value is taken to be the
 * one nearest to the previous (a jump of more than 2^32 ticks, 13 h, is read as a wrap).
 */
export class TimestampUnwrapper {
  private last = Number.NaN;

  unwrap(raw: number): number {
    if (Number.isNaN(this.last)) {
      this.last = raw;
      return raw;
    }
    const lastRaw = ((this.last % TIMESTAMP_MODULUS) + TIMESTAMP_MODULUS) % TIMESTAMP_MODULUS;
    let delta = raw - lastRaw;
    if (delta >= HALF_MODULUS) delta -= TIMESTAMP_MODULUS;
    else if (delta < -HALF_MODULUS) delta += TIMESTAMP_MODULUS;
    this.last += delta;
    return this.last;
  }

  reset(): void {
    this.last = Number.NaN;
  }
}
