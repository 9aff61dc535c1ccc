/**
 * The ingest job: the upload (`uploads/{id}`) becomes the source workers read (`sources/{id}.mp4`)
 * or a refusal with a stable code; then the facts and the record's playback fields, `ready` (the
 * video plays from then on, made on demand), the pinned opening in the background, and `opening:
 * pinned`. Each step can run again: a job picked up after its worker died starts over, or, once
 * the video is playable, only makes its opening again.
 *
 * An upload that already is what workers read (an MP4/MOV the fast-start view takes, nothing to
 * normalize: `lookInPlace`) has its opening started from the upload object at once, while it is
 * downloaded, copied to `sources/` inside the store and inspected; the opening runs at a lower CPU
 * priority, so the verdict is not slowed by it. A refusal stops the opening and the runner removes
 * what it made; facts other than those the opening started from have it made again. Any other
 * upload is downloaded, checked and normalized first, and plays once its source is put in place.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  DEFAULT_PROFILES, ffprobe, MP4_DEMUXERS, uploadObjectKey,
  type Logger, type ObjectStorage, type RedisKeys, type VideoStore,
} from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { IngestErrors, inspectSource, normalizeSource, type IngestLimits, type NormalizeResult } from '../ingest/index.js';
import { parseTranscodeFacts, type TranscodeFacts } from '../transcode/transcode-facts.js';
import { localFileSource } from '../transcode/source.js';
import { discardSegments } from './discard.js';
import { factsFromPlan, recordFromFacts } from './ingest-facts.js';
import { pretranscodeOpening, startOpening, type OpeningDependencies, type OpeningJob } from './opening.js';
import { lookInPlace, type InPlaceSource } from './in-place.js';
import type { JobScratch } from './scratch.js';
import { logStep, stepTimer, type StepTimer } from './steps.js';
import { downloadUpload, downloadUploadAsSource, putSource } from './transfer.js';

export interface IngestDependencies {
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly videos: VideoStore;
  readonly scratch: JobScratch;
  readonly limits: IngestLimits;
  readonly opening: OpeningDependencies;
  readonly log: Logger;
  /** Bound on each probe and trial decode. */
  readonly toolTimeoutMs?: number;
}

/** What the job carries from step to step. */
interface IngestRun {
  readonly videoId: string;
  readonly dir: string;
  readonly deps: IngestDependencies;
  readonly signal: AbortSignal;
  readonly step: StepTimer;
}

/** The checked MP4 workers will read, on the job's scratch. */
interface CheckedSource {
  readonly path: string;
  readonly action: NormalizeResult['action'];
  readonly facts: TranscodeFacts;
  readonly size: number;
}

export async function runIngest(videoId: string, deps: IngestDependencies, signal: AbortSignal): Promise<void> {
  const record = await deps.videos.find(videoId);
  if (record === undefined) throw WorkerErrors.create('VIDEO_MISSING', `no video ${videoId}: it was deleted before its ingest`);
  if (record.state === 'ready' && record.opening !== 'making') return;
  const step = stepTimer(deps.log, videoId);
  if (record.state === 'ready') {
    // Playable already (a retry after the verdict): the facts and the source are in place.
    await step('opening again', async () => pretranscodeOpening(videoId, await storedFacts(videoId, deps), DEFAULT_PROFILES, deps.opening, signal));
  } else {
    await deps.scratch.use(async (dir) => {
      const job: IngestRun = { videoId, dir, deps, signal, step };
      const look = await step('look in place', () => lookInPlace(videoId, deps.storage, deps.limits, signal));
      if ('reason' in look) {
        deps.log.debug({ videoId, reason: look.reason }, 'the opening waits for the checked source');
        await ingestDownloaded(job);
      } else {
        await ingestInPlace(job, look);
      }
    });
  }
  await deps.videos.update(videoId, (current) => ({ ...current, opening: 'pinned' }));
  await deps.storage.deleteMany([uploadObjectKey(videoId)]);
  deps.log.info({ videoId }, 'opening pinned');
}

async function ingestDownloaded(job: IngestRun): Promise<void> {
  const upload = join(job.dir, 'upload');
  await job.step('download', () => downloadUpload(job.videoId, upload, job.deps, job.signal));
  await finishFromScratch(job, await checkSource(job, upload), true);
}

async function ingestInPlace(job: IngestRun, look: InPlaceSource): Promise<void> {
  const { videoId, deps } = job;
  const opening = startOpening(videoId, look.facts, DEFAULT_PROFILES, { ...deps.opening, opener: look.opener }, job.signal);
  let source: CheckedSource;
  try {
    const upload = join(job.dir, 'upload');
    await job.step('download and copy', () => downloadUploadAsSource(videoId, upload, deps, job.signal));
    source = await checkSource(job, upload);
  } catch (error) {
    await stopOpening(opening);
    throw error;
  }
  if (source.action === 'none' && JSON.stringify(source.facts) === JSON.stringify(look.facts)) {
    // `sources/` holds the copy already: the video plays while its opening is made.
    await publishFacts(job, source);
    await markPlayable(job);
    await job.step('opening', () => opening.done);
    return;
  }
  deps.log.warn({ videoId, action: source.action, facts: source.facts, inPlace: look.facts }, 'the checked source differs from the upload read in place: its opening is made again');
  await stopOpening(opening);
  await discardSegments(videoId, deps);
  // The copy in `sources/` is the upload's bytes: right unless the upload was normalized.
  await finishFromScratch(job, source, source.action !== 'none');
}

/** Facts and record, then the opening from the local MP4 while it is put in place; playable once it is. */
async function finishFromScratch(job: IngestRun, source: CheckedSource, put: boolean): Promise<void> {
  await publishFacts(job, source);
  const opening = startOpening(job.videoId, source.facts, DEFAULT_PROFILES, { ...job.deps.opening, opener: localFileSource(() => source.path) }, job.signal);
  try {
    if (put) await job.step('source put', () => putSource(job.videoId, source.path, job.deps.storage));
    await markPlayable(job);
  } catch (error) {
    await stopOpening(opening);
    throw error;
  }
  await job.step('opening', () => opening.done);
}

/** Inspect (a refusal throws its code), normalize, and the facts of the MP4 workers will read. */
async function checkSource(job: IngestRun, upload: string): Promise<CheckedSource> {
  const { deps, signal, step } = job;
  const timeout = deps.toolTimeoutMs === undefined ? {} : { timeoutMs: deps.toolTimeoutMs };
  const onTool = (tool: string, started: number, ms: number) => logStep(deps.log, job.videoId, `inspect/${tool}`, started, ms);
  const inspection = await step('inspect', () => inspectSource(upload, { limits: deps.limits, signal, onTool, ...timeout }));
  const { verdict } = inspection;
  if (verdict.outcome === 'refused') throw IngestErrors.create(verdict.refusal.code, verdict.refusal.message);
  const { plan } = verdict;
  const normalized = join(job.dir, 'source.mp4');
  const result = await step('normalize', () => normalizeSource(upload, plan, { target: { path: normalized }, scratchDir: job.dir, signal }));
  const path = result.action === 'none' ? upload : normalized;
  // Nothing normalized: the inspection's probe is of this very file. Else it is an MP4, read as one.
  const probe = result.action === 'none' && inspection.probe !== undefined
    ? inspection.probe
    : await step('probe source', () => ffprobe(path, { protocols: ['file'], formats: MP4_DEMUXERS }));
  deps.log.info({ videoId: job.videoId, action: result.action, container: plan.container, notes: plan.notes }, 'source checked');
  return { path, action: result.action, facts: factsFromPlan(probe, plan, result.action === 'none' ? 'same-file' : 'normalized'), size: (await stat(path)).size };
}

/** No expiry on the facts: they live as long as the video (a later re-probe could read another frame rate). */
async function publishFacts(job: IngestRun, source: CheckedSource): Promise<void> {
  await job.deps.redis.set(job.deps.keys.sourceFacts(job.videoId), JSON.stringify(source.facts));
  await job.deps.videos.update(job.videoId, (current) => recordFromFacts(current, source.facts, source.size));
}

/** The verdict is in and workers can read the source: players may start (docs/architecture.md "Uploads and ingest"). */
async function markPlayable(job: IngestRun): Promise<void> {
  await job.deps.videos.update(job.videoId, (current) => ({ ...current, state: 'ready', opening: 'making' }));
  job.deps.log.info({ videoId: job.videoId }, 'video ready');
}

/** The facts ingest wrote for a playable video. */
async function storedFacts(videoId: string, deps: IngestDependencies): Promise<TranscodeFacts> {
  const facts = parseTranscodeFacts((await deps.redis.get(deps.keys.sourceFacts(videoId))) ?? '');
  if (facts === undefined) throw WorkerErrors.create('VIDEO_MISSING', `video ${videoId} is ready but has no source facts`);
  return facts;
}

async function stopOpening(opening: OpeningJob): Promise<void> {
  opening.stop();
  await opening.done.catch(() => undefined);
}
