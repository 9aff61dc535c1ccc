/**
 * One transcode run: source → ffmpeg → segmenter → each closed segment checked against the plan and
 * handed on. A run covers segments [from, until). It can be paused (SIGSTOP, and its output is not
 * read meanwhile), resumed, or stopped; it ends early, as finished, when the next segment already
 * exists. ffmpeg is judged by what it produced, not by its exit code alone.
 *
 * A run a client waits on (`firstSegmentAlone`) makes its first segment with an ffmpeg of its own,
 * stopped by `-t` at the segment's end: ffmpeg then flushes the encoder at once, where a longer run
 * holds that segment until x264 has taken in its lookahead (~15 frames) past the boundary. The rest
 * comes from a second ffmpeg, started (and stopped) with the first one and resumed as it ends.
 * Runs from any segment join without a gap (source-time timestamps, DESIGN.md "Segments").
 */
import { randomUUID } from 'node:crypto';
import { segmentBytes, segmentStream, type Segment } from '@kiln/segmenter';
import { isKilnError, type KilnError, type Logger, type MediaToolProcess } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { frameTicks, segmenterBoundary } from './boundaries.js';
import { checkAgainstPlan } from './check.js';
import type { SourceFacts } from './facts.js';
import { discardLeg, startLeg, type Leg, type LegContext, type LegRange } from './leg.js';
import type { Rendition } from './rendition.js';
import type { SourceOpener } from './source.js';

export type RunState = 'starting' | 'running' | 'paused' | 'finished' | 'failed' | 'stopped';

export interface ClosedSegment {
  readonly index: number;
  readonly bytes: Buffer;
  readonly mediaSeconds: number;
  /** Wall time the encode spent on it while not paused. */
  readonly wallMs: number;
}

export interface RunDependencies {
  readonly opener: SourceOpener;
  readonly log: Logger;
  readonly threads: number;
  readonly preset?: string;
  /** Called with each segment that matched the plan, in order. */
  onSegment(run: TranscodeRun, segment: ClosedSegment): void;
  /** True when segment `index` exists already (cache or memory): the run need not make it. */
  exists(index: number): boolean;
  /** Pid bookkeeping so a crashed worker's ffmpeg can be found at the next start. */
  onSpawn(pid: number): void;
  onExit(pid: number): void;
  /** Make the first segment with an ffmpeg of its own (a client is waiting for it). */
  readonly firstSegmentAlone?: boolean;
}

export interface RunTarget {
  readonly videoId: string;
  readonly rendition: Rendition;
  readonly facts: SourceFacts;
  readonly from: number;
  readonly until: number;
}

export class TranscodeRun {
  readonly id = randomUUID().slice(0, 8);
  readonly createdAt = Date.now();
  state: RunState = 'starting';
  /** The last segment this run closed (from − 1 before the first). */
  lastClosed: number;
  /** The furthest segment of this run a client asked for. */
  furthestRequested: number;
  lastRequestAt = Date.now();
  error: KilnError | undefined;
  endReason: string | undefined;
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private process: MediaToolProcess | undefined;
  private gate: { promise: Promise<void>; release(): void } | undefined;
  private mark = Date.now();

  constructor(
    readonly target: RunTarget,
    private readonly deps: RunDependencies,
  ) {
    this.lastClosed = target.from - 1;
    this.furthestRequested = target.from;
    this.done = this.execute();
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'running' || this.state === 'paused';
  }

  covers(index: number): boolean {
    return index >= this.target.from && index < this.target.until;
  }

  pause(): void {
    if (this.state !== 'running' || this.process === undefined) return;
    this.process.pause();
    this.state = 'paused';
    let release = () => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release };
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.process?.resume();
    this.state = 'running';
    this.mark = Date.now();
    this.gate?.release();
    this.gate = undefined;
  }

  /** Kills ffmpeg (its whole group, even while stopped) and ends the run as `stopped`. */
  stop(reason: string): void {
    if (!this.alive) return;
    this.endReason ??= reason;
    this.abort.abort();
    this.gate?.release();
  }

  private async execute(): Promise<void> {
    // Let the constructor return before any work, so callers see the run before its first event.
    await Promise.resolve();
    const [first, ...rest] = this.legRanges();
    let next: Promise<Leg> | undefined;
    try {
      let leg: Leg | undefined = await startLeg(this.legContext(), first, false);
      for (const following of [...rest, undefined]) {
        if (leg === undefined) break;
        if (following !== undefined) {
          // Started now, stopped: it takes no CPU from this leg, and is there the moment this one ends.
          next = startLeg(this.legContext(), following, true);
          next.catch(() => undefined); // awaited (and its failure reported) once this leg ends
        }
        const held = await this.runLeg(leg, following !== undefined);
        try {
          leg = await this.takeNext(next);
        } finally {
          next = undefined;
          // Only now, with the next ffmpeg in place: whoever is told this leg is done sees a run going on.
          for (const segment of held) this.deliver(segment);
        }
      }
      this.state = this.endReason === undefined || this.endReason === 'next segment exists' ? 'finished' : 'stopped';
    } catch (error) {
      await discardLeg(await next?.catch(() => undefined));
      this.fail(error);
    }
  }

  /** [from, until) as one leg, or the first segment alone and then the rest. */
  private legRanges(): [LegRange, ...LegRange[]] {
    const { from, until } = this.target;
    if (this.deps.firstSegmentAlone !== true || until - from < 2) return [{ from, until }];
    return [{ from, until: from + 1 }, { from: from + 1, until }];
  }

  private legContext(): LegContext {
    const { videoId, rendition, facts } = this.target;
    const { opener, log, threads, preset } = this.deps;
    return {
      videoId, rendition, facts, opener, threads, signal: this.abort.signal,
      log: log.child({ run: this.id }), ...(preset === undefined ? {} : { preset }),
      onSpawn: (pid) => this.deps.onSpawn(pid), onExit: (pid) => this.deps.onExit(pid),
    };
  }

  /** The started next leg, running unless the run is paused meanwhile; undefined when the run ends here. */
  private async takeNext(next: Promise<Leg> | undefined): Promise<Leg | undefined> {
    const leg = await next;
    if (leg === undefined) return undefined;
    if (this.endReason !== undefined) {
      await discardLeg(leg);
      return undefined;
    }
    this.process = leg.child;
    this.mark = Date.now();
    if (this.state !== 'paused') leg.child.resume();
    return leg;
  }

  private fail(error: unknown): void {
    if (this.endReason !== undefined && this.endReason !== 'next segment exists') {
      this.state = 'stopped';
      return;
    }
    this.state = 'failed';
    this.error = WorkerErrors.is(error)
      ? error
      : WorkerErrors.create('TRANSCODE_FAILED', isKilnError(error) ? error.message : String(error), {
          cause: error,
          details: isKilnError(error) ? (error.details ?? {}) : {},
        });
    this.deps.log.error({ err: this.error, run: this.id }, 'transcode failed');
  }

  /** Reads one leg to its end. `hold` (a leg follows): its segments are returned, to be handed on once the next leg runs. */
  private async runLeg(leg: Leg, hold: boolean): Promise<ClosedSegment[]> {
    this.process = leg.child;
    if (this.state === 'starting') this.state = 'running';
    this.mark = Date.now();
    const held: ClosedSegment[] = [];
    try {
      await this.consume(leg.child.stdout!, hold ? (segment) => held.push(segment) : (segment) => this.deliver(segment), hold);
    } catch (error) {
      await discardLeg(leg);
      throw error;
    }
    if (this.endReason !== undefined) leg.child.kill();
    const failure = await leg.ended;
    this.process = undefined;
    this.judge(failure, leg.range);
    return held;
  }

  /** `hold`: the segments wait to be handed on, so the run must not wait for a resume before the leg ends. */
  private async consume(output: AsyncIterable<Uint8Array>, handOn: (segment: ClosedSegment) => void, hold: boolean): Promise<void> {
    const { plan } = this.target.rendition;
    const segments = segmentStream(output, {
      boundaryPts: segmenterBoundary(plan),
      startToleranceTicks: frameTicks(plan) - 1,
      // A run of one frame (the last segment of a source one frame past a boundary) measures no step.
      ...(plan.kind === 'video' ? { frameDurationTicks: frameTicks(plan) } : {}),
      logger: this.deps.log,
    });
    for await (const segment of segments) {
      handOn(this.accept(segment));
      if (this.lastClosed + 1 < this.target.until && this.deps.exists(this.lastClosed + 1)) {
        this.endReason = 'next segment exists';
      }
      if (!hold) await this.gate?.promise;
      if (this.endReason !== undefined) break;
    }
  }

  /** Checks a closed segment against the plan; it is the run's from then on. */
  private accept(segment: Segment): ClosedSegment {
    const problem = checkAgainstPlan(segment, this.target.rendition.plan, this.lastClosed + 1);
    if (problem !== undefined) throw problem;
    const now = Date.now();
    this.lastClosed = segment.index;
    const bytes = segmentBytes(segment);
    const closed = { index: segment.index, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), mediaSeconds: segment.durationSeconds, wallMs: now - this.mark };
    this.mark = now;
    return closed;
  }

  private deliver(segment: ClosedSegment): void {
    this.deps.onSegment(this, segment);
  }

  /** After a leg's ffmpeg exits: a run that was not stopped must have made every segment of the leg. */
  private judge(failure: unknown, range: LegRange): void {
    if (this.endReason !== undefined) return;
    if (this.lastClosed === range.until - 1) return;
    throw WorkerErrors.create('TRANSCODE_FAILED', `ffmpeg ended after segment ${this.lastClosed}; it was to make ${range.from}…${range.until - 1}`, {
      cause: failure,
      details: { from: range.from, until: range.until, lastClosed: this.lastClosed, ffmpeg: isKilnError(failure) ? failure.details : undefined },
    });
  }
}
