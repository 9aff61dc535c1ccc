/** Turns a segment's self-report into an error the worker can fail the job with. */
import { SegmenterError } from './errors.js';
import type { Segment } from './segment.js';

export function checkSegment(segment: Segment): SegmenterError | undefined {
  const details = {
    index: segment.index,
    startPts: segment.startPts,
    plannedStartPts: segment.plannedStartPts,
    durationTicks: segment.durationTicks,
    forced: segment.forced,
  };
  if (!segment.startsWithKeyframe) return new SegmenterError('SEGMENT_NOT_KEYFRAME', undefined, details);
  if (!segment.onSchedule) return new SegmenterError('SEGMENT_OFF_SCHEDULE', undefined, details);
  return undefined;
}
