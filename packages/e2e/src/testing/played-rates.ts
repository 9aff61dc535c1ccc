/**
 * The declared bit rates of the variant a player read, against what its segments weigh: the
 * master's BANDWIDTH and AVERAGE-BANDWIDTH as the player saw them when it started, the segments'
 * sizes from the cache index (every segment the player fetched is cached once served, so nothing
 * is read a second time) and their durations from the variant playlist.
 */
import HLS from 'hls-parser';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { waitFor } from '@kiln/shared/testing';
import { averageBitrate, deviation, peakSegmentBitrate, type MeasuredSegment } from './bitrates.js';
import type { Variant } from './master-playlist.js';
import { indexedSegments } from './upload-client.js';

/** Apple's HLS authoring spec: the peak at most 10 % over BANDWIDTH, the average within 10 % of AVERAGE-BANDWIDTH. */
export const RATE_TOLERANCE = 0.1;

/** Where the cache index is: the test cluster's Redis. */
export interface CacheIndex {
  readonly redis: Redis;
  readonly keys: RedisKeys;
}

export interface RateCheck {
  readonly rendition: string;
  /** BANDWIDTH and AVERAGE-BANDWIDTH, bit/s, from the master the player started with. */
  readonly declaredPeak: number;
  readonly declaredAverage: number;
  /** The RFC 8216 peak segment bit rate and the whole rendition's average, bit/s. */
  readonly peak: number;
  readonly average: number;
  /** What breaks a bound (none: both hold). */
  readonly problems: readonly string[];
}

const kbps = (bits: number): string => `${(bits / 1000).toFixed(1)} kb/s`;
const percent = (share: number): string => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)} %`;

/** One line of figures: `mobile-234p peak 150.2 / 180.0 kb/s, average 120.3 / 118.0 kb/s`. */
export function rateFigures(check: RateCheck): string {
  return `${check.rendition} peak ${kbps(check.peak)} / BANDWIDTH ${kbps(check.declaredPeak)} (${percent(deviation(check.peak, check.declaredPeak))}), `
    + `average ${kbps(check.average)} / AVERAGE-BANDWIDTH ${kbps(check.declaredAverage)} (${percent(deviation(check.average, check.declaredAverage))})`;
}

/**
 * Judges measured segments against the declaration. A stream too short for any RFC 8216 peak
 * window (shorter than half its target duration) has its whole average as its peak.
 */
export function judgeRates(rendition: string, variant: Variant, segments: readonly MeasuredSegment[], targetDuration: number): RateCheck {
  const average = averageBitrate(segments);
  const peak = peakSegmentBitrate(segments, targetDuration) ?? average;
  const declaredPeak = variant.bandwidth;
  const declaredAverage = variant.averageBandwidth ?? variant.bandwidth;
  const problems: string[] = [];
  const over = deviation(peak, declaredPeak);
  if (over > RATE_TOLERANCE) problems.push(`peak ${kbps(peak)} is ${percent(over)} over BANDWIDTH ${kbps(declaredPeak)}`);
  const off = deviation(average, declaredAverage);
  if (Math.abs(off) > RATE_TOLERANCE) problems.push(`average ${kbps(average)} is ${percent(off)} off AVERAGE-BANDWIDTH ${kbps(declaredAverage)}`);
  return { rendition, declaredPeak, declaredAverage, peak, average, problems };
}

/** `/play/{video}/{session}/{rendition}/index.m3u8` → the rendition id. */
export function renditionOf(variantUrl: string): string {
  const parts = new URL(variantUrl).pathname.split('/');
  const rendition = parts.at(-2);
  if (rendition === undefined || rendition === '') throw new Error(`no rendition in ${variantUrl}`);
  return rendition;
}

/**
 * Measures the variant a player has read to its end. The last segments reach the index just after
 * they were served (the worker uploads them after answering), so this waits up to `attempts` × 100 ms.
 */
export async function measurePlayedRates(index: CacheIndex, videoId: string, variant: Variant, attempts = 100): Promise<RateCheck> {
  const response = await fetch(variant.url);
  if (response.status !== 200) throw new Error(`variant playlist of ${videoId}: HTTP ${response.status}`);
  const media = HLS.parse(await response.text());
  if (media.isMasterPlaylist) throw new Error(`${variant.url} is a master playlist`);
  const rendition = renditionOf(variant.url);
  const count = media.segments.length;
  let bytes = new Map<number, number>();
  await waitFor(`${count} segments of ${rendition} in the cache index`, async () => {
    bytes = new Map((await indexedSegments(index.redis, index.keys, videoId, rendition)).map((entry) => [entry.index, entry.bytes]));
    return media.segments.every((_, n) => bytes.has(n));
  }, attempts);
  const segments = media.segments.map((segment, n) => ({ bytes: bytes.get(n) ?? 0, duration: segment.duration }));
  return judgeRates(rendition, variant, segments, media.targetDuration);
}
