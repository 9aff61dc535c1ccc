/**
 * Each closed segment against the plan: the index expected next, its first access unit an IDR at
 * the planned PTS, and its length to the frame. A mismatch fails the run loudly; a wrong segment is
 * never stored or served (docs/architecture.md "Segments": never a silently wrong playlist).
 */
import { segmentAt, toNumber, type SegmentPlan } from '@kiln/shared';
import type { Segment } from '@kiln/segmenter';
import type { KilnError } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { expectedStartTicks, frameTicks, toTicks } from './boundaries.js';

/** ffmpeg rescales timestamps through its own time bases: one tick either way is rounding. */
const PTS_SLACK_TICKS = 1;

function problemOf(segment: Segment, plan: SegmentPlan, expectedIndex: number): string | undefined {
  if (segment.index !== expectedIndex) return `segment ${segment.index} came where ${expectedIndex} was due`;
  if (segment.index >= plan.segments.length) return `segment ${segment.index} is past the plan's ${plan.segments.length} segments`;
  if (segment.forced || !segment.startsWithKeyframe) return `segment ${segment.index} does not start with a key frame`;
  if (segment.startPts === undefined) return `segment ${segment.index} has no access unit`;
  const planned = segmentAt(plan, segment.index);
  const startOff = segment.startPts - expectedStartTicks(plan, segment.index);
  const durationOff = segment.durationTicks - toTicks(planned.duration);
  if (plan.kind === 'video') {
    if (Math.abs(startOff) > PTS_SLACK_TICKS) return `segment ${segment.index} starts ${startOff} ticks off its planned frame`;
    const frames = 'frameCount' in planned ? planned.frameCount : 0;
    if (segment.accessUnits !== frames) return `segment ${segment.index} has ${segment.accessUnits} frames, planned ${frames}`;
    if (Math.abs(durationOff) > PTS_SLACK_TICKS + 1) return `segment ${segment.index} lasts ${durationOff} ticks off its plan`;
    return undefined;
  }
  // AAC frames do not fall on the boundaries, a run's first packet is the encoder's priming frame
  // (one frame early) and its last carries the padding: within a frame at the start, two in length.
  const aacFrame = frameTicks(plan);
  if (Math.abs(startOff) > aacFrame) return `segment ${segment.index} starts ${startOff} ticks off its boundary`;
  if (Math.abs(durationOff) > 2 * aacFrame) return `segment ${segment.index} lasts ${durationOff} ticks off its plan`;
  return undefined;
}

/** SEGMENT_OFF_PLAN with the measured and planned facts, or undefined when the segment is right. */
export function checkAgainstPlan(segment: Segment, plan: SegmentPlan, expectedIndex: number): KilnError | undefined {
  const problem = problemOf(segment, plan, expectedIndex);
  if (problem === undefined) return undefined;
  const planned = segment.index < plan.segments.length ? segmentAt(plan, segment.index) : undefined;
  return WorkerErrors.create('SEGMENT_OFF_PLAN', problem, {
    details: {
      index: segment.index, expectedIndex, startPts: segment.startPts, plannedStartPts: expectedStartTicks(plan, segment.index),
      durationTicks: segment.durationTicks, accessUnits: segment.accessUnits,
      plannedDuration: planned === undefined ? undefined : toNumber(planned.duration),
    },
  });
}
