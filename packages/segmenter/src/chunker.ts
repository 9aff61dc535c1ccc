/**
 * The cut decision, apart from any bytes: fed the access units of the cut track (PTS, key or
 * not), it says when a new segment starts and measures the segment that ends.
 *
 * Segment k (k ≥ 0, the schedule's index) is meant to start at `boundaryPts(k)`; a cut happens at
 * the first key access unit whose PTS ≥ the next boundary. Nothing here trusts the schedule:
 * each closed segment says whether it started and ended where the schedule said.
 */
import { SegmenterError } from './errors.js';

export interface AccessUnit {
  /** Unwrapped PTS in 90 kHz ticks (see TimestampUnwrapper). */
  readonly pts: number;
  readonly key: boolean;
  /** Known for audio (ADTS frames); video durations are estimated from the PTS spacing. */
  readonly durationTicks?: number;
}

export type BoundaryOrigin = 'absolute' | 'relative';

export interface ChunkerOptions {
  /** Start of segment k in 90 kHz ticks, strictly increasing in k, for k ≥ 0. */
  readonly boundaryPts: (k: number) => number;
  /** 'absolute': boundaries are stream PTS (unwrapped). 'relative': offsets from the first PTS. */
  readonly origin: BoundaryOrigin;
  /** How late a segment may start and still be on schedule; default: one frame, as measured. */
  readonly startToleranceTicks?: number;
  /** One frame, when the caller knows it (CFR output): the length of a segment of a single unit before any step was measured. */
  readonly frameDurationTicks?: number;
}

export interface SegmentTiming {
  /** The schedule's index for this segment. */
  readonly index: number;
  /** PTS of the segment's first access unit (unwrapped ticks); undefined when it has none. */
  readonly startPts: number | undefined;
  /** Where the schedule wanted it to start (unwrapped ticks, origin applied). */
  readonly plannedStartPts: number;
  /** Measured: to the next segment's first PTS, or (last segment) past its last frame. */
  readonly durationTicks: number;
  readonly accessUnits: number;
  readonly startsWithKey: boolean;
  /** Starts on a key unit within tolerance of its boundary, and (unless last) ends at the next one. */
  readonly onSchedule: boolean;
  /** Cut early (segment too large) rather than at a key unit. */
  readonly forced: boolean;
}

/** Safety net for absurd schedules: never search more boundaries than this for one cut. */
const MAX_BOUNDARY_SEARCH = 10_000_000;

export class Chunker {
  private started = false;
  private origin = 0;
  private index = 0;
  private nextBoundary = Number.POSITIVE_INFINITY;
  private startPts: number | undefined;
  private startsWithKey = false;
  private forcedStart = false;
  private count = 0;
  private maxPts = Number.NEGATIVE_INFINITY;
  private maxEnd = Number.NEGATIVE_INFINITY;
  private lastPts = Number.NaN;
  private frameTicks = Number.POSITIVE_INFINITY;

  constructor(private readonly options: ChunkerOptions) {}

  /** True when an access unit at `pts` would be cut before if it were a key unit. */
  wouldCutAt(pts: number): boolean {
    return this.started && pts >= this.nextBoundary;
  }

  /** Feeds one access unit, in decode order. Returns the segment it closed, if it starts a new one. */
  push(au: AccessUnit): SegmentTiming | undefined {
    let closed: SegmentTiming | undefined;
    if (!this.started) this.begin(au.pts);
    else if (au.key && au.pts >= this.nextBoundary) closed = this.cut(au.pts);
    if (this.startPts === undefined) {
      this.startPts = au.pts;
      this.startsWithKey = au.key;
    }
    this.measure(au);
    return closed;
  }

  /** Closes the segment now, whatever comes next (used when a segment grows too large). */
  forceCut(): SegmentTiming {
    this.started = true; // with no unit seen yet (no cut track), absolute boundaries are assumed
    const closed = this.close(this.estimatedEnd(), this.index + 1, true);
    this.openSegment(this.index + 1, true);
    return closed;
  }

  /** Closes the last segment. */
  finish(): SegmentTiming {
    return this.close(this.estimatedEnd(), this.index, false, true);
  }

  /** One frame as measured (the smallest positive PTS step between consecutive units), else as given. */
  get frameDurationTicks(): number | undefined {
    return Number.isFinite(this.frameTicks) ? this.frameTicks : this.options.frameDurationTicks;
  }

  private begin(pts: number): void {
    this.started = true;
    this.origin = this.options.origin === 'relative' ? pts : 0;
    this.openSegment(this.indexAt(pts, 0), false);
  }

  private cut(pts: number): SegmentTiming {
    const nextIndex = this.indexAt(pts, this.index + 1);
    const closed = this.close(pts, nextIndex, false);
    this.openSegment(nextIndex, false);
    return closed;
  }

  /** The last k ≥ from whose boundary is ≤ pts (or `from` when pts is before it). */
  private indexAt(pts: number, from: number): number {
    let k = from;
    let previous = this.boundary(k);
    for (let steps = 0; steps < MAX_BOUNDARY_SEARCH; steps++) {
      const next = this.boundary(k + 1);
      if (!(next > previous)) throw new SegmenterError('INVALID_SCHEDULE', undefined, { k: k + 1, next, previous });
      if (next > pts) return k;
      k++;
      previous = next;
    }
    throw new SegmenterError('INVALID_SCHEDULE', 'too many boundaries before one PTS', { pts });
  }

  private boundary(k: number): number {
    const ticks = this.options.boundaryPts(k);
    if (!Number.isFinite(ticks)) throw new SegmenterError('INVALID_SCHEDULE', undefined, { k, ticks });
    return this.origin + ticks;
  }

  private openSegment(index: number, forced: boolean): void {
    this.index = index;
    this.nextBoundary = this.boundary(index + 1);
    this.startPts = undefined;
    this.startsWithKey = false;
    this.forcedStart = forced;
    this.count = 0;
    this.maxPts = Number.NEGATIVE_INFINITY;
    this.maxEnd = Number.NEGATIVE_INFINITY;
  }

  private measure(au: AccessUnit): void {
    const step = au.pts - this.lastPts;
    if (step > 0 && step < this.frameTicks) this.frameTicks = step;
    this.lastPts = au.pts;
    this.count++;
    if (au.pts > this.maxPts) this.maxPts = au.pts;
    if (au.durationTicks !== undefined && au.pts + au.durationTicks > this.maxEnd) {
      this.maxEnd = au.pts + au.durationTicks;
    }
  }

  /** End of the segment without a next one: past its last unit (known or estimated duration). */
  private estimatedEnd(): number {
    const start = this.startPts;
    if (start === undefined) return 0;
    if (Number.isFinite(this.maxEnd)) return this.maxEnd;
    // CFR and closed GOPs: the units' PTS cover count-1 equal steps.
    if (this.count > 1) return start + ((this.maxPts - start) * this.count) / (this.count - 1);
    return start + (this.frameDurationTicks ?? 0);
  }

  private close(end: number, nextIndex: number, forced: boolean, last = false): SegmentTiming {
    const planned = this.boundary(this.index);
    const start = this.startPts;
    const startOk = this.startsWithKey && !this.forcedStart && start !== undefined && this.isOnTime(start, planned);
    // The segment ends on schedule when the next one starts on time at the very next boundary.
    const endOk = last || (!forced && nextIndex === this.index + 1 && this.isOnTime(end, this.boundary(nextIndex)));
    return {
      index: this.index,
      startPts: start,
      plannedStartPts: planned,
      durationTicks: start === undefined ? 0 : end - start,
      accessUnits: this.count,
      startsWithKey: this.startsWithKey,
      onSchedule: startOk && endOk,
      forced: this.forcedStart,
    };
  }

  /** At the boundary or less than a frame after it (the frame that starts a segment is ceil(t·fps)). */
  private isOnTime(pts: number, boundary: number): boolean {
    const tolerance = this.options.startToleranceTicks ?? this.frameDurationTicks ?? 0;
    const late = pts - boundary;
    return late >= 0 && (late === 0 || late < tolerance);
  }
}
