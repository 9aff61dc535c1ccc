/**
 * The ffmpeg of a transcode run and the source it reads: segments [from, until) of the run's
 * rendition, on stdout, and, for a split run (split-args.ts), its first segment also on fd 3.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { seekTime, spawnFfmpeg, toNumber, type Logger, type MediaToolProcess, type X264Preset } from '@kiln/shared';
import { transcodeArgs, type RunSpec } from './ffmpeg-args.js';
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

export interface LegContext {
  readonly videoId: string;
  readonly rendition: Rendition;
  readonly facts: TranscodeFacts;
  readonly opener: SourceOpener;
  readonly log: Logger;
  readonly threads: number;
  readonly preset?: X264Preset;
  /** Aborting kills the leg's ffmpeg (its whole group, even while stopped). */
  readonly signal: AbortSignal;
  onSpawn(pid: number): void;
  onExit(pid: number): void;
}

export interface Leg {
  readonly range: LegRange;
  readonly child: MediaToolProcess;
  /** A split run's first-segment output (its first segment, then the next one's first frames), else undefined. */
  readonly firstOutput: Readable | undefined;
  /** When ffmpeg has exited and the source is closed: ffmpeg's failure, or undefined for exit 0. */
  readonly ended: Promise<unknown>;
}

/**
 * Opens the source and spawns ffmpeg for `range`. `split`: the first segment from an output of its
 * own when the run allows it (a client waits for it), else one output.
 */
export async function startLeg(context: LegContext, range: LegRange, split: boolean): Promise<Leg> {
  const { rendition, facts } = context;
  const { plan } = rendition;
  const input = await context.opener.open(context.videoId, toNumber(seekTime(plan, range.from)) / toNumber(plan.duration));
  let child: MediaToolProcess;
  let splitRun = false;
  try {
    context.signal.throwIfAborted(); // stopped while the source opened: no ffmpeg
    const spec: RunSpec = {
      input: input.input, facts, rung: rendition.rung, plan, from: range.from, until: range.until,
      threads: context.threads, firstOutputThreads: FIRST_OUTPUT_THREADS, ...(context.preset === undefined ? {} : { preset: context.preset }),
    };
    splitRun = split && splittable(spec) !== undefined;
    const args = splitRun ? splitRunArgs(spec) : transcodeArgs(spec);
    child = spawnFfmpeg(args, { signal: context.signal, stdin: input.input.stdin ? 'pipe' : 'ignore', ...(splitRun ? { fd3: 'pipe' as const } : {}) });
  } catch (error) {
    await input.close();
    throw error;
  }
  if (input.stdin !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // ffmpeg may stop reading early; its output is what counts
    input.stdin.pipe(child.stdin);
  }
  context.onSpawn(child.pid);
  context.log.debug({ commandLine: child.commandLine, from: range.from, until: range.until, split: splitRun }, 'ffmpeg started');
  const ended = child.done.then(() => undefined, (error: unknown) => error).then(async (failure) => {
    context.onExit(child.pid);
    await input.close();
    return failure;
  });
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
