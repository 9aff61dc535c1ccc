/**
 * The pinned opening: the first segments (2 + 2 + 3 s) of every rendition of the default
 * profiles, made by the worker's own transcode runs and stored in the cache, pinned. Segment 0 of
 * every rendition comes first, so any variant can start playing as soon as possible: the rest of
 * the opening starts once every segment-0 run has ended (segments are interchangeable between runs:
 * source-time timestamps). Within each group the heaviest runs go first.
 */
import { PRETRANSCODE_SEGMENTS, type Logger, type ProfileName, type X264Preset } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { SegmentCache } from '../segments/cache.js';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import type { ProcessRegistry } from '../transcode/processes.js';
import { renditionsFor, type Rendition } from '../transcode/rendition.js';
import { TranscodeRun, type ClosedSegment } from '../transcode/run.js';
import type { SourceOpener } from '../transcode/source.js';
import type { Slots } from './slots.js';

export interface OpeningDependencies {
  readonly opener: SourceOpener;
  readonly cache: SegmentCache;
  readonly processes: ProcessRegistry;
  readonly slots: Slots;
  readonly log: Logger;
  readonly preset?: X264Preset;
}

/** One transcode run of the opening: segments [from, until) of a rendition. */
export interface OpeningTask {
  readonly rendition: Rendition;
  readonly from: number;
  readonly until: number;
}

/** How many opening segments a rendition has (fewer for a source shorter than the opening). */
export function openingLength(rendition: Rendition, segments = PRETRANSCODE_SEGMENTS): number {
  return Math.min(segments, rendition.plan.segments.length);
}

/** A run's relative encode work: output pixels per second (audio costs next to nothing). */
function encodeWork(rendition: Rendition): number {
  const { rung } = rendition;
  if (rung.kind !== 'video') return 0;
  return rung.width * rung.height * (rung.frameRate === undefined ? 1 : rung.frameRate.num / rung.frameRate.den);
}

/** Heaviest first: with two slots, the last run to end is then a short one, not the 1080p. */
const heaviestFirst = (a: OpeningTask, b: OpeningTask): number => encodeWork(b.rendition) - encodeWork(a.rendition);

/**
 * The runs that complete the opening, segment 0 of every rendition first, each group heaviest first.
 * Cached segments are not made again; a run covers from the first missing one to the opening's end.
 */
export function openingTasks(renditions: readonly Rendition[], cached: ReadonlyMap<string, ReadonlySet<number>>, segments = PRETRANSCODE_SEGMENTS): OpeningTask[] {
  const has = (rendition: Rendition, index: number) => cached.get(rendition.id)?.has(index) ?? false;
  const first = renditions.filter((rendition) => !has(rendition, 0)).map((rendition) => ({ rendition, from: 0, until: 1 }));
  const rest = renditions.flatMap((rendition) => {
    const end = openingLength(rendition, segments);
    const missing = Array.from({ length: Math.max(0, end - 1) }, (_, i) => i + 1).find((index) => !has(rendition, index));
    return missing === undefined ? [] : [{ rendition, from: missing, until: end }];
  });
  return [...first.sort(heaviestFirst), ...rest.sort(heaviestFirst)];
}

export function openingRenditions(facts: TranscodeFacts, profiles: readonly ProfileName[]): Rendition[] {
  return profiles.flatMap((profile) => renditionsFor(facts, profile));
}

/** An opening being made: its segment-0 runs settle first, then the whole opening. */
export interface OpeningJob {
  /** Settles (never rejects) once every segment-0 run has ended, made or not. */
  readonly segmentZeroSettled: Promise<void>;
  /** Every run made and the opening pinned; rejects with the first failure. */
  readonly done: Promise<void>;
  /** Stops the runs going on and those waiting for a slot (`done` then rejects). */
  stop(): void;
}

/** Makes (or pins, when already cached) the opening of every rendition of `profiles`. */
export async function pretranscodeOpening(videoId: string, facts: TranscodeFacts, profiles: readonly ProfileName[], deps: OpeningDependencies, signal?: AbortSignal): Promise<void> {
  await startOpening(videoId, facts, profiles, deps, signal).done;
}

export function startOpening(videoId: string, facts: TranscodeFacts, profiles: readonly ProfileName[], deps: OpeningDependencies, signal?: AbortSignal): OpeningJob {
  const stopper = new AbortController();
  const stop = signal === undefined ? stopper.signal : AbortSignal.any([signal, stopper.signal]);
  let zeroSettled = () => {};
  const segmentZeroSettled = new Promise<void>((resolve) => (zeroSettled = resolve));
  const done = makeOpening(videoId, facts, profiles, deps, stop, () => zeroSettled());
  // Whatever happens before the segment-0 runs start (a Redis error) settles them too.
  void done.then(zeroSettled, zeroSettled);
  return { segmentZeroSettled, done, stop: () => stopper.abort() };
}

async function makeOpening(videoId: string, facts: TranscodeFacts, profiles: readonly ProfileName[], deps: OpeningDependencies, signal: AbortSignal, onSegmentZeroEnded: () => void): Promise<void> {
  const renditions = openingRenditions(facts, profiles);
  const cached = new Map(await Promise.all(renditions.map(async (rendition) => [rendition.id, await deps.cache.cachedIndexes(videoId, rendition.id)] as const)));
  const tasks = openingTasks(renditions, cached);
  deps.log.info({ videoId, renditions: renditions.length, runs: tasks.length }, 'pre-transcode started');
  await runTasks(videoId, facts, tasks, deps, signal, onSegmentZeroEnded);
  for (const rendition of renditions) {
    for (let index = 0; index < openingLength(rendition); index += 1) {
      if (cached.get(rendition.id)?.has(index) === true) await deps.cache.pin(videoId, rendition.id, index);
    }
  }
}

/**
 * Every run, segment 0 first: the later segments wait until every segment-0 run has ended, so none
 * of them takes CPU from a segment 0. The first failure stops the rest.
 */
async function runTasks(videoId: string, facts: TranscodeFacts, tasks: readonly OpeningTask[], deps: OpeningDependencies, signal: AbortSignal, onSegmentZeroEnded: () => void): Promise<void> {
  const failure = new AbortController();
  // The first failure is the one reported: the runs it stops say only that (TRANSCODE_STOPPED).
  let firstFailure: { reason: unknown } | undefined;
  const stop = AbortSignal.any([signal, failure.signal]);
  const run = (task: OpeningTask) => runInSlot(videoId, facts, task, deps, stop).catch((error: unknown) => {
    firstFailure ??= { reason: error };
    failure.abort();
    throw error;
  });
  const zero = tasks.filter((task) => task.from === 0).map(run);
  const zeroEnded = Promise.allSettled(zero);
  void zeroEnded.then(onSegmentZeroEnded);
  const rest = tasks.filter((task) => task.from > 0).map(async (task) => run(await zeroEnded.then(() => task)));
  await Promise.allSettled([...zero, ...rest]);
  if (firstFailure !== undefined) throw firstFailure.reason;
}

/** A slot holds one ffmpeg: it passes on when ffmpeg ends, while the segments are still being stored. */
async function runInSlot(videoId: string, facts: TranscodeFacts, task: OpeningTask, deps: OpeningDependencies, signal: AbortSignal): Promise<void> {
  const stored = await deps.slots.use(() => runTask(videoId, facts, task, deps, signal));
  await stored.all;
}

async function runTask(videoId: string, facts: TranscodeFacts, task: OpeningTask, deps: OpeningDependencies, signal: AbortSignal): Promise<{ all: Promise<unknown> }> {
  if (signal.aborted) throw WorkerErrors.create('TRANSCODE_STOPPED', 'the pre-transcode was stopped');
  const stores: Promise<void>[] = [];
  const started = Date.now();
  const { rendition, from, until } = task;
  const run = new TranscodeRun({ videoId, rendition, facts, from, until }, {
    opener: deps.opener, log: deps.log, threads: 0,
    ...(deps.preset === undefined ? {} : { preset: deps.preset }),
    onSegment: (made, segment) => {
      const stored = storeSegment(videoId, rendition.id, segment, deps, { run: made.id, started });
      stored.catch(() => undefined); // awaited once ffmpeg has ended; not an unhandled rejection meanwhile
      stores.push(stored);
    },
    // The opening is made whole: a segment cached meanwhile is made again, identical (source time).
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
  const all = Promise.all(stores);
  if (run.state !== 'finished') {
    await all.catch(() => undefined);
    throw run.error ?? WorkerErrors.create('TRANSCODE_STOPPED', `the opening run of ${rendition.id} was stopped (${run.endReason ?? 'unknown'})`);
  }
  return { all };
}

/** Stores an opening segment, pinned; the debug line lets a benchmark time each run (slot taken → closed → stored). */
async function storeSegment(videoId: string, renditionId: string, segment: ClosedSegment, deps: OpeningDependencies, timing: { run: string; started: number }): Promise<void> {
  const closed = Date.now();
  await deps.cache.store(videoId, renditionId, segment.index, segment.bytes, closed, { pinned: true });
  deps.log.debug({ videoId, rendition: renditionId, index: segment.index, ...timing, closed, stored: Date.now() }, 'opening segment stored');
}
