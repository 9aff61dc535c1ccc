/**
 * The master playlist's FRAME-RATE attribute: a decimal with three digits (RFC 8216 4.3.4.2),
 * rounded exactly from the fraction, so 30000/1001 reads 29.970 and 24000/1001 23.976.
 */
import type { Rational } from '../schedule/rational.js';
import { formatDecimal } from '../schedule/rational.js';

export function formatFrameRate(frameRate: Rational): string {
  return formatDecimal(frameRate, 3);
}
