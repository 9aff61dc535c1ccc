/**
 * The pre-transcoded head: the first segments (2 + 2 + 3 s) of every rendition of the default
 * profiles, made by the worker's own transcode runs and stored in the cache, pinned. Segment 0 of
 * every rendition is started first, so any variant can start playing as soon as possible; the
 * rest of the head follows (segments are interchangeable between runs: source-time timestamps).
 */
import { PRETRANSCODE_SEGMENTS, type Logger, type ProfileName } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { SegmentCache } from '../segments/cache.js';
import type { SourceFacts } from '../transcode/facts.js';
import type { ProcessRegistry } from '../transcode/processes.js';
import { renditionsFor, type Rendition } from '../transcode/rendition.js';
import { TranscodeRun } from '../transcode/run.js';
import type { SourceOpener } from '../transcode/source.js';
import type { Slots } from './slots.js';

export interface HeadDependencies {
  readonly opener: SourceOpener;
  readonly cache: SegmentCache;
  readonly processes: ProcessRegistry;
  readonly slots: Slots;
  readonly log: Logger;
  readonly preset?: string;
}

/** One transcode run of the head: segments [from, until) of a rendition. */
export interface HeadTask {
  readonly rendition: Rendition;
  readonly from: number;
  readonly until: number;
}

/** How many head segments a rendition has (fewer for a source shorter than the head). */
export function headLength(rendition: Rendition, segments = PRETRANSCODE_SEGMENTS): number {
  return Math.min(segments, rendition.plan.segments.length);
}

/**
 * The runs that complete the head, segment 0 of every rendition first. Cached segments are not
 * made again; a run covers from the first missing one to the head's end.
 */
export function headTasks(renditions: readonly Rendition[], cached: ReadonlyMap<string, ReadonlySet<number>>, segments = PRETRANSCODE_SEGMENTS): HeadTask[] {
  const has = (rendition: Rendition, index: number) => cached.get(rendition.id)?.has(index) ?? false;
  const first = renditions.filter((rendition) => !has(rendition, 0)).map((rendition) => ({ rendition, from: 0, until: 1 }));
  const rest = renditions.flatMap((rendition) => {
    const end = headLength(rendition, segments);
    const missing = Array.from({ length: Math.max(0, end - 1) }, (_, i) => i + 1).find((index) => !has(rendition, index));
    return missing === undefined ? [] : [{ rendition, from: missing, until: end }];
  });
  return [...first, ...rest];
}

export function headRenditions(facts: SourceFacts, profiles: readonly ProfileName[]): Rendition[] {
  return profiles.flatMap((profile) => renditionsFor(facts, profile));
}

/** Makes (or pins, when already cached) the head of every rendition of `profiles`. */
export async function pretranscodeHead(videoId: string, facts: SourceFacts, profiles: readonly ProfileName[], deps: HeadDependencies, signal?: AbortSignal): Promise<void> {
  const renditions = headRenditions(facts, profiles);
  const cached = new Map<string, Set<number>>();
  for (const rendition of renditions) cached.set(rendition.id, await deps.cache.cachedIndexes(videoId, rendition.id));
  const tasks = headTasks(renditions, cached);
  deps.log.info({ videoId, renditions: renditions.length, runs: tasks.length }, 'pre-transcode started');
  // The first failure stops the rest: the runs going on and those still waiting for a slot. It is
  // the one reported; the others mostly say they were stopped (TRANSCODE_STOPPED), not why.
  const failed = new AbortController();
  let firstFailure: { reason: unknown } | undefined;
  const stop = signal === undefined ? failed.signal : AbortSignal.any([signal, failed.signal]);
  await Promise.allSettled(tasks.map((task) =>
    deps.slots.use(() => runTask(videoId, facts, task, deps, stop)).catch((error: unknown) => {
      firstFailure ??= { reason: error };
      failed.abort();
      throw error;
    })));
  if (firstFailure !== undefined) throw firstFailure.reason;
  for (const rendition of renditions) {
    for (let index = 0; index < headLength(rendition); index += 1) {
      if (cached.get(rendition.id)?.has(index) === true) await deps.cache.pin(videoId, rendition.id, index);
    }
  }
}

async function runTask(videoId: string, facts: SourceFacts, task: HeadTask, deps: HeadDependencies, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw WorkerErrors.create('TRANSCODE_STOPPED', 'the pre-transcode was stopped');
  const stores: Promise<void>[] = [];
  const { rendition, from, until } = task;
  const run = new TranscodeRun({ videoId, rendition, facts, from, until }, {
    opener: deps.opener, log: deps.log, threads: 0,
    ...(deps.preset === undefined ? {} : { preset: deps.preset }),
    onSegment: (_run, segment) => stores.push(deps.cache.store(videoId, rendition.id, segment.index, segment.bytes, Date.now(), { pinned: true })),
    // The head is made whole: a segment cached meanwhile is made again, identical (source time).
    exists: () => false,
    onSpawn: (pid) => deps.processes.register(pid),
    onExit: (pid) => deps.processes.unregister(pid),
  });
  const stopRun = () => run.stop('job stopped');
  signal.addEventListener('abort', stopRun);
  try {
    await run.done;
  } finally {
    signal.removeEventListener('abort', stopRun);
  }
  await Promise.all(stores);
  if (run.state !== 'finished') {
    throw run.error ?? WorkerErrors.create('TRANSCODE_STOPPED', `the head run of ${rendition.id} was stopped (${run.endReason ?? 'unknown'})`);
  }
}
