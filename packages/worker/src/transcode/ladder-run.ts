/**
 * A ladder run (ladder-args.ts): one ffmpeg decodes the source once and writes one output per
 * rendition, each on its own pipe; each output is cut and checked against its rendition's plan as
 * a single run's is (output.ts) and its segments are handed on in order.
 *
 * Back-pressure: ffmpeg writes its outputs in turn from one loop, so one pipe left unread stalls
 * every output. Each output therefore has a reader of its own that never waits on anything but its
 * pipe (`onSegment` is synchronous: storing is the caller's, in the background); none waits on
 * another. A failure of one output (a segment off plan, a pipe error) kills ffmpeg and fails the
 * run with that output's error, naming its rendition.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isKilnError, seekTime, toNumber, type KilnError, type Logger, type X264Preset } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { ladderArgs } from './ladder-args.js';
import { spawnOnSource, type SpawnedOnSource } from './leg.js';
import { closeSegment, planSegments, type ClosedSegment } from './output.js';
import type { Rendition } from './rendition.js';
import type { SourceOpener } from './source.js';
import type { TranscodeFacts } from './transcode-facts.js';

export interface LadderTarget {
  readonly videoId: string;
  readonly facts: TranscodeFacts;
  /** Every rendition the run makes; they must start at the same source time (`ladderGroupKey`). */
  readonly renditions: readonly Rendition[];
  readonly from: number;
  readonly until: number;
}

export interface LadderDependencies {
  readonly opener: SourceOpener;
  readonly log: Logger;
  /** Encoder threads of each output; 0 lets x264 choose. */
  readonly threads: number;
  readonly preset?: X264Preset;
  /** Runs ffmpeg under `nice -n` this (background work); absent: the worker's own priority. */
  readonly niceness?: number;
  /** Each segment that matched its rendition's plan, in order within a rendition. Synchronous: see above. */
  onSegment(rendition: Rendition, segment: ClosedSegment): void;
  onSpawn(pid: number): void;
  onExit(pid: number): void;
}

export class LadderRun {
  readonly id = randomUUID().slice(0, 8);
  /** Resolves once every rendition has made every segment; rejects with the first failure, or TRANSCODE_STOPPED. */
  readonly done: Promise<void>;
  /** The pid of the run's ffmpeg once it is spawned. */
  pid: number | undefined;
  private readonly abort = new AbortController();
  private endReason: string | undefined;
  private failure: KilnError | undefined;

  constructor(
    readonly target: LadderTarget,
    private readonly deps: LadderDependencies,
  ) {
    this.done = this.execute();
  }

  /** Kills ffmpeg (its whole group); `done` then rejects with TRANSCODE_STOPPED. */
  stop(reason: string): void {
    this.endReason ??= reason;
    this.abort.abort();
  }

  private async execute(): Promise<void> {
    await Promise.resolve(); // the caller holds the run before anything happens
    const { videoId, facts, renditions, from, until } = this.target;
    const { opener, log, threads, preset, niceness } = this.deps;
    const first = renditions[0];
    if (first === undefined) return;
    const spawned = await spawnOnSource(
      { videoId, opener, log, signal: this.abort.signal, onSpawn: (pid) => this.deps.onSpawn(pid), onExit: (pid) => this.deps.onExit(pid) },
      toNumber(seekTime(first.plan, from)) / toNumber(first.plan.duration),
      (input) => ({
        args: ladderArgs({ input, facts, outputs: renditions, from, until, threads, ...(preset === undefined ? {} : { preset }) }),
        options: { extraOutputs: renditions.length - 1, ...(niceness === undefined ? {} : { niceness }) },
      }),
    ).catch((error: unknown) => {
      throw this.stopped() ?? error;
    });
    this.pid = spawned.child.pid;
    log.debug({ run: this.id, commandLine: spawned.child.commandLine, from, until, outputs: renditions.length }, 'ladder ffmpeg started');
    const streams = [spawned.child.stdout, ...spawned.child.outputs];
    const lastClosed = await Promise.all(renditions.map((rendition, k) => this.readOutput(rendition, streams[k] ?? null, spawned)));
    this.judge(lastClosed, await spawned.ended);
  }

  /** Reads one output to its end; returns the last segment it closed (from − 1 before the first). */
  private async readOutput(rendition: Rendition, stream: Readable | null, spawned: SpawnedOnSource): Promise<number> {
    let expected = this.target.from;
    let mark = Date.now();
    try {
      if (stream === null) throw new Error('the output has no pipe');
      for await (const segment of planSegments(stream, rendition.plan, this.deps.log)) {
        const closed = closeSegment(segment, rendition.plan, expected, mark);
        mark += closed.wallMs;
        expected += 1;
        this.deps.onSegment(rendition, closed);
      }
    } catch (error) {
      this.outputFailed(rendition, error, spawned);
    } finally {
      stream?.destroy(); // an unread pipe left open would keep ffmpeg's end from coming
    }
    return expected - 1;
  }

  /** The first output to fail fails the run: ffmpeg is killed, the other outputs then end. */
  private outputFailed(rendition: Rendition, error: unknown, spawned: SpawnedOnSource): void {
    spawned.child.kill();
    if (this.failure !== undefined || this.endReason !== undefined) return;
    const code = WorkerErrors.is(error) ? error.code : 'TRANSCODE_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    this.failure = WorkerErrors.create(code, `${rendition.id}: ${message}`, {
      cause: error, details: { ...(isKilnError(error) ? error.details : {}), rendition: rendition.id, run: this.id },
    });
  }

  private stopped(): KilnError | undefined {
    return this.endReason === undefined ? undefined : WorkerErrors.create('TRANSCODE_STOPPED', `the ladder run was stopped (${this.endReason})`);
  }

  /** After ffmpeg exits: stopped, an output's failure, or every rendition must have made every segment. */
  private judge(lastClosed: readonly number[], ffmpegFailure: unknown): void {
    const stopped = this.stopped();
    if (stopped !== undefined) throw stopped;
    if (this.failure !== undefined) throw this.failure;
    const { renditions, from, until } = this.target;
    const short = renditions.flatMap((rendition, k) => (lastClosed[k] === until - 1 ? [] : [`${rendition.id} after ${lastClosed[k]}`]));
    if (short.length === 0) return;
    throw WorkerErrors.create('TRANSCODE_FAILED', `ffmpeg ended with renditions short of segment ${until - 1} (${short.join(', ')}); it was to make ${from}…${until - 1}`, {
      cause: ffmpegFailure,
      details: { from, until, short, ffmpeg: isKilnError(ffmpegFailure) ? ffmpegFailure.details : undefined },
    });
  }
}
