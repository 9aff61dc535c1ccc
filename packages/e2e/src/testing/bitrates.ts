/**
 * Measured bit rates against declared ones. The measures are the RFC 8216 ones the API uses for a
 * wholly cached rendition (`@kiln/shared`'s segment-bitrates.ts).
 */
export { averageBitrate, peakSegmentBitrate, type MeasuredSegment } from '@kiln/shared';

/** How far `measured` is from `declared`, as a signed share of `declared` (Apple: within ±0.1). */
export function deviation(measured: number, declared: number): number {
  return (measured - declared) / declared;
}
