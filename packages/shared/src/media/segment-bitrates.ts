/**
 * What segments carry, measured the way RFC 8216 defines the attributes that declare it:
 * BANDWIDTH is the peak segment bit rate, the largest bit rate of any run of consecutive segments
 * lasting 0.5…1.5 × the target duration (4.3.4.2 and 4.1; a short last segment counts only with
 * its neighbours); AVERAGE-BANDWIDTH the whole stream's bits over its duration.
 */
export interface MeasuredSegment {
  readonly bytes: number;
  /** EXTINF seconds. */
  readonly duration: number;
}

/** Bit/s of the RFC 8216 peak window, or undefined when no run of segments is long enough. */
export function peakSegmentBitrate(segments: readonly MeasuredSegment[], targetDuration: number): number | undefined {
  let peak: number | undefined;
  segments.forEach((_, first) => {
    let bits = 0;
    let seconds = 0;
    for (const segment of segments.slice(first)) {
      bits += segment.bytes * 8;
      seconds += segment.duration;
      if (seconds > 1.5 * targetDuration) break;
      if (seconds >= 0.5 * targetDuration) peak = Math.max(peak ?? 0, bits / seconds);
    }
  });
  return peak;
}

export function averageBitrate(segments: readonly MeasuredSegment[]): number {
  const bits = segments.reduce((total, segment) => total + segment.bytes * 8, 0);
  const seconds = segments.reduce((total, segment) => total + segment.duration, 0);
  if (seconds <= 0) throw new RangeError('no media to measure');
  return bits / seconds;
}
