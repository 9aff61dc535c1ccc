/**
 * The ffmpeg of a transcode run and the source it reads: segments [from, until) of the run's
 * rendition, on stdout, and, for a split run (split-args.ts), its first segment also on fd 3.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { seekTime, spawnFfmpeg, toNumber, type Logger, type MediaToolProcess, type SpawnMediaToolOptions, type X264Preset } from '@kiln/shared';
import { transcodeArgs, type InputSpec, type RunSpec } from './ffmpeg-args.js';
import { firstOutputThreadsFor, splitRunArgs, splittable } from './split-args.js';
import type { TranscodeFacts } from './transcode-facts.js';
import type { Rendition } from './rendition.js';
import type { SourceOpener } from './source.js';

/** The first-segment output's frame threads, from this machine's CPUs (derived once, like the worker's default capacity). */
const FIRST_OUTPUT_THREADS = firstOutputThreadsFor(availableParallelism());

export interface LegRange {
  readonly from: number;
  readonly until: number;
}

/** What any ffmpeg of a run needs to read its source and be accounted for. */
export interface SpawnContext {
  readonly videoId: string;
  readonly opener: SourceOpener;
  readonly log: Logger;
  /** Aborting kills the ffmpeg (its whole group, even while stopped). */
  readonly signal: AbortSignal;
  onSpawn(pid: number): void;
  onExit(pid: number): void;
}

export interface LegContext extends SpawnContext {
  readonly rendition: Rendition;
  readonly facts: TranscodeFacts;
  readonly threads: number;
  readonly preset?: X264Preset;
}

/** An ffmpeg reading a source it opened for itself. */
export interface SpawnedOnSource {
  readonly child: MediaToolProcess;
  /** When ffmpeg has exited and the source is closed: ffmpeg's failure, or undefined for exit 0. */
  readonly ended: Promise<unknown>;
}

/** An ffmpeg command for an opened source: its arguments and its extra outputs and priority. */
export interface SourceCommand {
  readonly args: string[];
  readonly options: Pick<SpawnMediaToolOptions, 'fd3' | 'extraOutputs' | 'niceness'>;
}

/**
 * Opens the source (`seekFraction` as `SourceOpener.open` takes it), spawns ffmpeg on it, feeds its
 * stdin when the source comes that way, and keeps the pid bookkeeping; the source is closed when
 * ffmpeg has exited, or at once when it cannot start.
 */
export async function spawnOnSource(context: SpawnContext, seekFraction: number, command: (input: InputSpec) => SourceCommand): Promise<SpawnedOnSource> {
  const input = await context.opener.open(context.videoId, seekFraction);
  let child: MediaToolProcess;
  try {
    context.signal.throwIfAborted(); // stopped while the source opened: no ffmpeg
    const { args, options } = command(input.input);
    child = spawnFfmpeg(args, { ...options, signal: context.signal, stdin: input.input.stdin ? 'pipe' : 'ignore' });
  } catch (error) {
    await input.close();
    throw error;
  }
  if (input.stdin !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // ffmpeg may stop reading early; its output is what counts
    input.stdin.pipe(child.stdin);
  }
  context.onSpawn(child.pid);
  const ended = child.done.then(() => undefined, (error: unknown) => error).then(async (failure) => {
    context.onExit(child.pid);
    await input.close();
    return failure;
  });
  return { child, ended };
}

export interface Leg extends SpawnedOnSource {
  readonly range: LegRange;
  /** A split run's first-segment output (its first segment, then the next one's first frames), else undefined. */
  readonly firstOutput: Readable | undefined;
}

/**
 * Opens the source and spawns ffmpeg for `range`. `split`: the first segment from an output of its
 * own when the run allows it (a client waits for it), else one output.
 */
export async function startLeg(context: LegContext, range: LegRange, split: boolean): Promise<Leg> {
  const { rendition, facts } = context;
  const { plan } = rendition;
  let splitRun = false;
  const { child, ended } = await spawnOnSource(context, toNumber(seekTime(plan, range.from)) / toNumber(plan.duration), (input) => {
    const spec: RunSpec = {
      input, facts, rung: rendition.rung, plan, from: range.from, until: range.until,
      threads: context.threads, firstOutputThreads: FIRST_OUTPUT_THREADS, ...(context.preset === undefined ? {} : { preset: context.preset }),
    };
    splitRun = split && splittable(spec) !== undefined;
    return splitRun ? { args: splitRunArgs(spec), options: { fd3: 'pipe' } } : { args: transcodeArgs(spec), options: {} };
  });
  context.log.debug({ commandLine: child.commandLine, from: range.from, until: range.until, split: splitRun }, 'ffmpeg started');
  return { range, child, firstOutput: child.fd3 ?? undefined, ended };
}

/** Kills a leg that will not be used, drops its outputs (unread, they would hold its end back) and waits until it is gone. */
export async function discardLeg(leg: Leg | undefined): Promise<void> {
  if (leg === undefined) return;
  leg.child.kill();
  leg.child.stdout?.destroy();
  leg.firstOutput?.destroy();
  await leg.ended.catch(() => undefined);
}
