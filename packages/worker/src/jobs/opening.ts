/**
 * The pinned opening: the first segments (2 + 2 + 3 s) of every rendition of the default
 * profiles, stored in the cache, pinned. One ladder run (transcode/ladder-run.ts) decodes the source
 * once and encodes every rendition of the opening, all cut on the same boundaries; segment 0 of
 * every rendition comes out at about the same time. The run is background work: it takes one slot
 * and runs at a lower CPU priority than on-demand runs (`OPENING_NICENESS`).
 */
import { PRETRANSCODE_SEGMENTS, type Logger, type ProfileName, type X264Preset } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { SegmentCache } from '../segments/cache.js';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import type { ProcessRegistry } from '../transcode/processes.js';
import { renditionsFor, type Rendition } from '../transcode/rendition.js';
import { ladderGroupKey } from '../transcode/ladder-args.js';
import { LadderRun } from '../transcode/ladder-run.js';
import type { ClosedSegment } from '../transcode/output.js';
import type { SourceOpener } from '../transcode/source.js';
import type { Slots } from './slots.js';

/**
 * The opening is background work: its ffmpeg runs this much nicer than the worker, so a viewer's
 * on-demand encode on the same machine gets the CPU first.
 */
export const OPENING_NICENESS = 10;

export interface OpeningDependencies {
  readonly opener: SourceOpener;
  readonly cache: SegmentCache;
  readonly processes: ProcessRegistry;
  readonly slots: Slots;
  readonly log: Logger;
  readonly preset?: X264Preset;
}

/** One ladder run of the opening: segments [from, until) of several renditions from one decode. */
export interface OpeningRun {
  readonly renditions: readonly Rendition[];
  readonly from: number;
  readonly until: number;
}

/** How many opening segments a rendition has (fewer for a source shorter than the opening). */
export function openingLength(rendition: Rendition, segments = PRETRANSCODE_SEGMENTS): number {
  return Math.min(segments, rendition.plan.segments.length);
}

/**
 * The ladder runs that complete the opening. A rendition is made from its first missing segment to
 * the opening's end (cached segments are not made again; one cached past a missing one is made
 * again, identical: source time). Renditions share a run when they start at the same source time
 * and end at the same segment: one run has one `-ss`. Normally that is one run for the whole ladder;
 * a rendition whose segment 0 an on-demand run made already starts later, in a run of its own group.
 * The run with the most renditions goes first.
 */
export function openingRuns(renditions: readonly Rendition[], cached: ReadonlyMap<string, ReadonlySet<number>>, segments = PRETRANSCODE_SEGMENTS): OpeningRun[] {
  const groups = new Map<string, { renditions: Rendition[]; from: number; until: number }>();
  for (const rendition of renditions) {
    const until = openingLength(rendition, segments);
    const from = Array.from({ length: until }, (_, i) => i).find((index) => cached.get(rendition.id)?.has(index) !== true);
    if (from === undefined) continue;
    const key = ladderGroupKey(rendition.plan, from, until);
    const group = groups.get(key) ?? { renditions: [], from, until };
    group.renditions.push(rendition);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.renditions.length - a.renditions.length || a.from - b.from);
}

export function openingRenditions(facts: TranscodeFacts, profiles: readonly ProfileName[]): Rendition[] {
  return profiles.flatMap((profile) => renditionsFor(facts, profile));
}

/** Makes (or pins, when already cached) the opening of every rendition of `profiles`; rejects with the first failure. */
export async function pretranscodeOpening(videoId: string, facts: TranscodeFacts, profiles: readonly ProfileName[], deps: OpeningDependencies, signal?: AbortSignal): Promise<void> {
  const renditions = openingRenditions(facts, profiles);
  const cached = new Map(await Promise.all(renditions.map(async (rendition) => [rendition.id, await deps.cache.cachedIndexes(videoId, rendition.id)] as const)));
  const runs = openingRuns(renditions, cached);
  deps.log.info({ videoId, renditions: renditions.length, runs: runs.length }, 'pre-transcode started');
  await runAll(videoId, facts, runs, deps, signal ?? new AbortController().signal);
  for (const rendition of renditions) {
    for (let index = 0; index < openingLength(rendition); index += 1) {
      if (cached.get(rendition.id)?.has(index) === true) await deps.cache.pin(videoId, rendition.id, index);
    }
  }
}

/** Every run, each in a slot; the first failure stops the rest and is the one reported. */
async function runAll(videoId: string, facts: TranscodeFacts, runs: readonly OpeningRun[], deps: OpeningDependencies, signal: AbortSignal): Promise<void> {
  const failure = new AbortController();
  let firstFailure: { reason: unknown } | undefined;
  const stop = AbortSignal.any([signal, failure.signal]);
  await Promise.allSettled(runs.map((run) => runInSlot(videoId, facts, run, deps, stop).catch((error: unknown) => {
    firstFailure ??= { reason: error };
    failure.abort();
  })));
  if (firstFailure !== undefined) throw firstFailure.reason;
}

/** A slot holds one ffmpeg: it passes on when ffmpeg ends, while the segments are still being stored. */
async function runInSlot(videoId: string, facts: TranscodeFacts, run: OpeningRun, deps: OpeningDependencies, signal: AbortSignal): Promise<void> {
  const stored = await deps.slots.use(() => runLadder(videoId, facts, run, deps, signal));
  await stored.all;
}

async function runLadder(videoId: string, facts: TranscodeFacts, task: OpeningRun, deps: OpeningDependencies, signal: AbortSignal): Promise<{ all: Promise<unknown> }> {
  if (signal.aborted) throw WorkerErrors.create('TRANSCODE_STOPPED', 'the pre-transcode was stopped');
  const stores: Promise<void>[] = [];
  const run = new LadderRun({ videoId, facts, renditions: task.renditions, from: task.from, until: task.until }, {
    opener: deps.opener, log: deps.log, threads: 0, niceness: OPENING_NICENESS,
    ...(deps.preset === undefined ? {} : { preset: deps.preset }),
    onSegment: (rendition, segment) => {
      const stored = storeSegment(videoId, rendition.id, segment, deps, run.id);
      stored.catch(() => undefined); // awaited once ffmpeg has ended; not an unhandled rejection meanwhile
      stores.push(stored);
    },
    onSpawn: (pid) => deps.processes.register(pid),
    onExit: (pid) => deps.processes.unregister(pid),
  });
  const stopRun = () => run.stop('job stopped');
  signal.addEventListener('abort', stopRun);
  try {
    await run.done;
  } catch (error) {
    await Promise.allSettled(stores);
    throw error;
  } finally {
    signal.removeEventListener('abort', stopRun);
  }
  return { all: Promise.all(stores) };
}

/** Stores an opening segment, pinned. */
async function storeSegment(videoId: string, renditionId: string, segment: ClosedSegment, deps: OpeningDependencies, run: string): Promise<void> {
  await deps.cache.store(videoId, renditionId, segment.index, segment.bytes, Date.now(), { pinned: true });
  deps.log.debug({ videoId, rendition: renditionId, index: segment.index, run }, 'opening segment stored');
}
