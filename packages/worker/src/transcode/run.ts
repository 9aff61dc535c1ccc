/**
 * One transcode run: source → ffmpeg → segmenter → each closed segment checked against the plan and
 * handed on. A run covers segments [from, until). It can be paused (SIGSTOP, and its output is not
 * read meanwhile), resumed, or stopped; it ends early, as finished, when the next segment already
 * exists. ffmpeg is judged by what it produced, not by its exit code alone.
 *
 * A run a client waits on (`firstSegmentAlone`) is split (split-args.ts): its first segment comes
 * from an output of the same ffmpeg encoded without lookahead, so it is served as soon as its frames
 * are encoded, where one output holds it until x264 has taken in ~15 frames past the boundary.
 * Runs from any segment join without a gap (source-time timestamps, docs/architecture.md "Timestamps").
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Segment } from '@kiln/segmenter';
import { isKilnError, type KilnError, type Logger, type MediaToolProcess, type X264Preset } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { closeSegment, planSegments, type ClosedSegment } from './output.js';
import type { TranscodeFacts } from './transcode-facts.js';
import { discardLeg, startLeg, type Leg, type LegContext, type LegRange } from './leg.js';
import type { Rendition } from './rendition.js';
import type { SourceOpener } from './source.js';
import { Spool } from './spool.js';

/**
 * How far a split run's main output may run ahead of its first-segment output before the run is made
 * again with one output: normally it has written next to nothing when the first output closes (its
 * frames start where the first output's end).
 */
const MAIN_SPOOL_BYTES = 8 * 1024 * 1024;

/** A split run's first-segment output did not close in time; the run is made again with one output. */
class FirstOutputOverdue extends Error {}

export type RunState = 'starting' | 'running' | 'paused' | 'finished' | 'failed' | 'stopped';

export type { ClosedSegment } from './output.js';

export interface RunDependencies {
  readonly opener: SourceOpener;
  readonly log: Logger;
  readonly threads: number;
  readonly preset?: X264Preset;
  /** Called with each segment that matched the plan, in order. */
  onSegment(run: TranscodeRun, segment: ClosedSegment): void;
  /** True when segment `index` exists already (cache or memory): the run need not make it. */
  exists(index: number): boolean;
  /** Pid bookkeeping so a crashed worker's ffmpeg can be found at the next start. */
  onSpawn(pid: number): void;
  onExit(pid: number): void;
  /** Make the first segment on an output of its own (a client is waiting for it). */
  readonly firstSegmentAlone?: boolean;
  /** How far the main output may run ahead of an open first-segment output (default 8 MiB); tests make it small. */
  readonly mainSpoolBytes?: number;
}

export interface RunTarget {
  readonly videoId: string;
  readonly rendition: Rendition;
  readonly facts: TranscodeFacts;
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
  /** Playback sessions that asked for its segments (the manager's bookkeeping, for `runsLeftBy`). */
  readonly sessions = new Set<string>();
  /** When its only session switched to another rendition (the manager's, for `isIdle`). */
  leftAt: number | undefined;
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

  /** A run being stopped is not paused: nothing would lift the pause, and its end would never come. */
  pause(): void {
    if (this.state !== 'running' || this.process === undefined || this.endReason !== undefined) return;
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
    try {
      await this.transcode();
      this.state = this.endReason === undefined || this.endReason === 'next segment exists' ? 'finished' : 'stopped';
    } catch (error) {
      this.fail(error);
    }
  }

  /** The run's ffmpeg, split when a client waits; a split whose first-segment output is overdue is made again with one output. */
  private async transcode(): Promise<void> {
    const { from, until } = this.target;
    try {
      await this.runLeg(await startLeg(this.legContext(), { from, until }, this.deps.firstSegmentAlone === true));
    } catch (error) {
      if (!(error instanceof FirstOutputOverdue) || this.endReason !== undefined) throw error;
      // A source whose audio does not reach past the boundary (and did not say so).
      this.deps.log.warn({ run: this.id, from }, error.message);
      await this.runLeg(await startLeg(this.legContext(), { from, until }, false));
    }
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

  /** Reads the run's ffmpeg to its end and judges it. */
  private async runLeg(leg: Leg): Promise<void> {
    this.process = leg.child;
    if (this.state === 'starting') this.state = 'running';
    this.mark = Date.now();
    try {
      await this.consume(this.segmentsOf(leg));
    } catch (error) {
      await discardLeg(leg);
      throw error;
    }
    if (this.endReason !== undefined) leg.child.kill();
    // Read to its end or given up: an unread pipe left open would keep ffmpeg's end from coming.
    leg.child.stdout?.destroy();
    const failure = await leg.ended;
    this.process = undefined;
    this.judge(failure, leg.range);
  }

  private async consume(segments: AsyncIterable<Segment>): Promise<void> {
    for await (const segment of segments) {
      this.deliver(this.accept(segment));
      if (this.lastClosed + 1 < this.target.until && this.deps.exists(this.lastClosed + 1)) {
        this.endReason = 'next segment exists';
      }
      if (this.endReason === undefined) await this.gate?.promise;
      if (this.endReason !== undefined) break;
    }
  }

  private segments(output: AsyncIterable<Uint8Array>): AsyncIterable<Segment> {
    return planSegments(output, this.target.rendition.plan, this.deps.log);
  }

  /** The run's segments in order: a split run's first from its first-segment output, then the main output's (spooled meanwhile). */
  private async *segmentsOf(leg: Leg): AsyncGenerator<Segment> {
    const main = leg.child.stdout!;
    if (leg.firstOutput === undefined) {
      yield* this.segments(main);
      return;
    }
    const spool = new Spool(main, this.deps.mainSpoolBytes ?? MAIN_SPOOL_BYTES);
    try {
      const first = await this.firstOutputSegment(leg.firstOutput, spool);
      if (first === undefined) {
        leg.child.kill(); // the first output ended without it: ffmpeg is judged by the caller
        return;
      }
      yield first;
      yield* this.segments(spool.release());
    } finally {
      spool.close();
    }
  }

  /**
   * The first output's segment, or undefined when that output ends without one. The rest of it (the
   * next segment's first frames, the audio margin) is read to ffmpeg's end and dropped: an unread
   * pipe would block ffmpeg.
   */
  private async firstOutputSegment(output: Readable, spool: Spool): Promise<Segment | undefined> {
    const segments = this.segments(output)[Symbol.asyncIterator]();
    const first = segments.next();
    first.catch(() => undefined); // raced below; a failure after losing the race is the run's end anyway
    const result = await Promise.race([first, spool.overflowed]).catch((error: unknown) => {
      if (error !== spool.overflowError) throw error;
      throw new FirstOutputOverdue(`segment ${this.target.from} was not out when the rest of the run had written ${spool.limitBytes} bytes: the run goes on with one output`);
    });
    void (async () => {
      try {
        while (!(await segments.next()).done);
      } catch {
        // the run is judged by its main output and ffmpeg's exit
      }
    })();
    return result.done === true ? undefined : result.value;
  }

  /** Checks a closed segment against the plan; it is the run's from then on. */
  private accept(segment: Segment): ClosedSegment {
    const closed = closeSegment(segment, this.target.rendition.plan, this.lastClosed + 1, this.mark);
    this.lastClosed = segment.index;
    this.mark += closed.wallMs;
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
