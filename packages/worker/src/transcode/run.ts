/**
 * One transcode run: source → ffmpeg → segmenter → each closed segment checked against the plan and
 * handed on. A run covers segments [from, until). It can be paused (SIGSTOP, and its output is not
 * read meanwhile), resumed, or stopped; it ends early, as finished, when the next segment already
 * exists. ffmpeg is judged by what it produced, not by its exit code alone.
 */
import { randomUUID } from 'node:crypto';
import { segmentBytes, segmentStream, type Segment } from '@kiln/segmenter';
import { isKilnError, spawnFfmpeg, type KilnError, type Logger, type MediaToolProcess } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { frameTicks, segmenterBoundary } from './boundaries.js';
import { checkAgainstPlan } from './check.js';
import { transcodeArgs } from './ffmpeg-args.js';
import type { SourceFacts } from './facts.js';
import type { Rendition } from './rendition.js';
import type { SourceOpener, TranscodeInput } from './source.js';

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
    try {
      const input = await this.deps.opener.open(this.target.videoId, this.target.from > 0);
      try {
        if (this.endReason === undefined) await this.encode(input);
      } finally {
        await input.close();
      }
      this.state = this.endReason === undefined || this.endReason === 'next segment exists' ? 'finished' : 'stopped';
    } catch (error) {
      this.fail(error);
    }
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

  private spawn(input: TranscodeInput): MediaToolProcess {
    const { rendition, facts, from, until } = this.target;
    const args = transcodeArgs({
      input: input.input, facts, rung: rendition.rung, plan: rendition.plan, from, until,
      threads: this.deps.threads, ...(this.deps.preset === undefined ? {} : { preset: this.deps.preset }),
    });
    const child = spawnFfmpeg(args, { signal: this.abort.signal, stdin: input.input.stdin ? 'pipe' : 'ignore' });
    if (input.stdin !== undefined && child.stdin !== null) {
      child.stdin.on('error', () => undefined); // ffmpeg may stop reading early; its output is what counts
      input.stdin.pipe(child.stdin);
    }
    this.deps.onSpawn(child.pid);
    this.deps.log.debug({ run: this.id, commandLine: child.commandLine }, 'ffmpeg started');
    return child;
  }

  private async encode(input: TranscodeInput): Promise<void> {
    const child = this.spawn(input);
    this.process = child;
    this.state = 'running';
    this.mark = Date.now();
    const exit = child.done.then(() => undefined, (error: unknown) => error);
    try {
      await this.consume(child);
    } catch (error) {
      child.kill();
      await exit;
      this.deps.onExit(child.pid);
      throw error;
    }
    if (this.endReason !== undefined) child.kill();
    const failure = await exit;
    this.deps.onExit(child.pid);
    this.judge(failure);
  }

  private async consume(child: MediaToolProcess): Promise<void> {
    const { plan } = this.target.rendition;
    const segments = segmentStream(child.stdout!, {
      boundaryPts: segmenterBoundary(plan),
      startToleranceTicks: frameTicks(plan) - 1,
      // A run of one frame (the last segment of a source one frame past a boundary) measures no step.
      ...(plan.kind === 'video' ? { frameDurationTicks: frameTicks(plan) } : {}),
      logger: this.deps.log,
    });
    for await (const segment of segments) {
      this.accept(segment);
      if (this.lastClosed + 1 < this.target.until && this.deps.exists(this.lastClosed + 1)) {
        this.endReason = 'next segment exists';
      }
      await this.gate?.promise;
      if (this.endReason !== undefined) break;
    }
  }

  private accept(segment: Segment): void {
    const problem = checkAgainstPlan(segment, this.target.rendition.plan, this.lastClosed + 1);
    if (problem !== undefined) throw problem;
    const now = Date.now();
    this.lastClosed = segment.index;
    const bytes = segmentBytes(segment);
    const closed = { index: segment.index, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), mediaSeconds: segment.durationSeconds, wallMs: now - this.mark };
    this.mark = now;
    this.deps.onSegment(this, closed);
  }

  /** After ffmpeg exits: a run that was not stopped must have made every segment it was for. */
  private judge(failure: unknown): void {
    if (this.endReason !== undefined) return;
    if (this.lastClosed === this.target.until - 1) return;
    throw WorkerErrors.create('TRANSCODE_FAILED', `ffmpeg ended after segment ${this.lastClosed}; the run was to make ${this.target.from}…${this.target.until - 1}`, {
      cause: failure,
      details: { from: this.target.from, until: this.target.until, lastClosed: this.lastClosed, ffmpeg: isKilnError(failure) ? failure.details : undefined },
    });
  }
}
