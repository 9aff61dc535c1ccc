/**
 * The ingest job: the upload (`uploads/{id}`) becomes the source workers read (`sources/{id}.mp4`)
 * or a refusal with a stable code; then the facts and the record's playback fields, `ready` (the
 * video plays from then on, made on demand), the pinned opening in the background, and `opening:
 * pinned`. Each step can run again: a job picked up after its worker died starts over, or, once
 * the video is playable, only makes its opening again.
 *
 * The upload is downloaded and inspected with the machine to itself: the verdict is what a viewer
 * waits for. An upload that needs nothing (an MP4/MOV the fast-start view reads) is copied to
 * `sources/` inside the store; any other is normalized and put there. Then `ready`, and the opening,
 * niced, from the local copy, while players may already be asking for segments.
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
import { factsFromPlan, recordFromFacts } from './ingest-facts.js';
import { pretranscodeOpening, type OpeningDependencies } from './opening.js';
import type { JobScratch } from './scratch.js';
import { logStep, stepTimer, type StepTimer } from './steps.js';
import { copyUploadAsSource, downloadUpload, putSource } from './transfer.js';

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
  /** Where the upload is downloaded to, in the job's scratch. */
  readonly upload: string;
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
      const job: IngestRun = { videoId, dir, deps, signal, step, upload: join(dir, 'upload') };
      await step('download', () => downloadUpload(videoId, job.upload, deps, signal));
      const source = await checkSource(job);
      // Nothing normalized: the upload is the source, byte for byte.
      await step('source in place', () => (source.action === 'none' ? copyUploadAsSource(videoId, deps.storage) : putSource(videoId, source.path, deps.storage)));
      await publishFacts(job, source);
      await markPlayable(job);
      await step('opening', () => pretranscodeOpening(videoId, source.facts, DEFAULT_PROFILES, { ...deps.opening, opener: localFileSource(() => source.path) }, signal));
    });
  }
  await deps.videos.update(videoId, (current) => ({ ...current, opening: 'pinned' }));
  await deps.storage.deleteMany([uploadObjectKey(videoId)]);
  deps.log.info({ videoId }, 'opening pinned');
}

/** Inspect (a refusal throws its code), normalize, and the facts of the MP4 workers will read. */
async function checkSource(job: IngestRun): Promise<CheckedSource> {
  const { deps, signal, step, upload } = job;
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
