/** What the segmenter emits, and the options it takes. */
import type { BoundaryOrigin, SegmentTiming } from './chunker.js';
import type { SegmenterErrorCode, SegmenterLogger } from './errors.js';
import type { SegmentBytes } from './writer.js';

export interface SegmenterOptions {
  /**
   * Start of segment k (k ≥ 0) in 90 kHz ticks; strictly increasing. Segment 0 also takes
   * whatever precedes the first access unit. See `origin` for what the ticks are measured from.
   */
  readonly boundaryPts: (k: number) => number;
  /**
   * 'absolute' (default): boundaries are stream PTS, as the worker's source-time encodes carry
   * them (`-output_ts_offset BASE+S`), and the first segment's index is found from its PTS.
   * 'relative': boundaries count from the first PTS of the cut track (any TS on stdin).
   */
  readonly origin?: BoundaryOrigin;
  /** How late a segment may start and stay on schedule; default one frame, as measured. */
  readonly startToleranceTicks?: number;
  /** One frame, when the caller knows it: the length of a one-frame segment before any step was measured. */
  readonly frameDurationTicks?: number;
  /** A segment that grows beyond this is cut early and reported `forced` (default 512 MiB). */
  readonly maxSegmentBytes?: number;
  /** Give up looking for an access unit's first slice after this many bytes (default 256 KiB). */
  readonly nalScanLimit?: number;
  /**
   * Group each segment's AAC frames into PES packets of up to this many payload bytes
   * (audio-pes.ts; `DEFAULT_AUDIO_PES_BYTES` is ffmpeg's size). Off when absent: packets pass unchanged.
   */
  readonly audioPesBytes?: number;
  readonly logger?: SegmenterLogger;
}

export interface Segment {
  /** The schedule's index k (consecutive unless a boundary had no key frame). */
  readonly index: number;
  /** PTS of the first access unit of the cut track, unwrapped (continues past 2^33); undefined if none. */
  readonly startPts: number | undefined;
  /** Where the schedule wanted the segment to start, in the same ticks as startPts. */
  readonly plannedStartPts: number;
  /** Measured duration in 90 kHz ticks: to the next segment's first PTS, or past the last frame. */
  readonly durationTicks: number;
  readonly durationSeconds: number;
  /** Access units of the cut track (video frames, or AAC PES packets when audio-only). */
  readonly accessUnits: number;
  /** The first access unit is an IDR (H.264), an IRAP (HEVC) or AAC. */
  readonly startsWithKeyframe: boolean;
  /** Started on a key unit within tolerance of its boundary and ended at the next boundary. */
  readonly onSchedule: boolean;
  /** Started because the previous segment outgrew maxSegmentBytes, not at a key unit. */
  readonly forced: boolean;
  /** Bytes of `data` in all. */
  readonly byteLength: number;
  /** Length of the PAT+PMT packets the segmenter put first (data[0]); 0 when no PAT/PMT was known. */
  readonly headerBytes: number;
  /** PAT+PMT packets (ours), then the input's packets as views of the pushed chunks. */
  readonly data: readonly Uint8Array[];
}

export interface SegmenterStats {
  readonly bytesIn: number;
  readonly packets: number;
  readonly bytesSkipped: number;
  readonly segments: number;
  /** Input faults met and recovered from, by code. */
  readonly issues: Readonly<Partial<Record<SegmenterErrorCode, number>>>;
}

/** One buffer with the segment's bytes (copies; use `data` directly to avoid the copy). */
export function segmentBytes(segment: Segment): Uint8Array {
  const out = new Uint8Array(segment.byteLength);
  let offset = 0;
  for (const part of segment.data) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function toSegment(timing: SegmentTiming, bytes: SegmentBytes): Segment {
  const headerBytes = bytes.header?.length ?? 0;
  return {
    index: timing.index,
    startPts: timing.startPts,
    plannedStartPts: timing.plannedStartPts,
    durationTicks: timing.durationTicks,
    durationSeconds: timing.durationTicks / 90_000,
    accessUnits: timing.accessUnits,
    startsWithKeyframe: timing.startsWithKey,
    onSchedule: timing.onSchedule,
    forced: timing.forced,
    byteLength: bytes.byteLength + headerBytes,
    headerBytes,
    data: bytes.header === undefined ? [...bytes.body] : [bytes.header, ...bytes.body],
  };
}
