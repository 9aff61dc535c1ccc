/**
 * One ffmpeg output read as segments: cut by the segmenter on the plan's boundaries, each closed
 * segment checked against the plan (check.ts). Shared by the one-rendition run (run.ts) and the
 * ladder run (ladder-run.ts), so both cut and check alike.
 */
import { DEFAULT_AUDIO_PES_BYTES, segmentBytes, segmentStream, type Segment } from '@kiln/segmenter';
import type { Logger, SegmentPlan } from '@kiln/shared';
import { frameTicks, segmenterBoundary } from './boundaries.js';
import { checkAgainstPlan } from './check.js';

export interface ClosedSegment {
  readonly index: number;
  readonly bytes: Buffer;
  readonly mediaSeconds: number;
  /** Wall time the encode spent on it while not paused. */
  readonly wallMs: number;
}

/** The segments of one output, cut on `plan`'s boundaries. */
export function planSegments(output: AsyncIterable<Uint8Array>, plan: SegmentPlan, log: Logger): AsyncIterable<Segment> {
  return segmentStream(output, {
    boundaryPts: segmenterBoundary(plan),
    startToleranceTicks: frameTicks(plan) - 1,
    // A run of one frame (the last segment of a source one frame past a boundary) measures no step.
    ...(plan.kind === 'video' ? { frameDurationTicks: frameTicks(plan) } : {}),
    // AAC frames grouped per PES inside each segment (a video plan's audio is never the cut track).
    ...(plan.kind === 'video' ? { audioPesBytes: DEFAULT_AUDIO_PES_BYTES } : {}),
    logger: log,
  });
}

/**
 * A segment checked against the plan (it must be `expectedIndex`), as the run hands it on;
 * throws SEGMENT_OFF_PLAN when it is not right. `sinceMs`: when its encode began (wall clock).
 */
export function closeSegment(segment: Segment, plan: SegmentPlan, expectedIndex: number, sinceMs: number): ClosedSegment {
  const problem = checkAgainstPlan(segment, plan, expectedIndex);
  if (problem !== undefined) throw problem;
  const bytes = segmentBytes(segment);
  return { index: segment.index, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), mediaSeconds: segment.durationSeconds, wallMs: Date.now() - sinceMs };
}
