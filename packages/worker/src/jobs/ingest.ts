/**
 * The ingest job: the upload (`uploads/{id}`) becomes the source workers read (`sources/{id}.mp4`)
 * or a refusal with a stable code; then the facts, the record's playback fields, the pinned head,
 * and `ready`. Each step can run again: a job picked up after its worker died starts over.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Redis } from 'ioredis';
import {
  DEFAULT_PROFILES, ffprobe, sourceObjectKey, uploadObjectKey,
  type Logger, type ObjectStorage, type RedisKeys, type VideoStore,
} from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { IngestErrors, inspectSource, normalizeSource, type IngestLimits } from '../ingest/index.js';
import type { SourceFacts } from '../transcode/facts.js';
import { factsFromPlan, recordFromFacts } from './facts.js';
import { pretranscodeHead, type HeadDependencies } from './head.js';
import type { JobScratch } from './scratch.js';

export interface IngestDependencies {
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly videos: VideoStore;
  readonly scratch: JobScratch;
  readonly limits: IngestLimits;
  readonly head: HeadDependencies;
  readonly log: Logger;
  /** Bound on each probe and trial decode. */
  readonly toolTimeoutMs?: number;
}

/** Room kept free beside the upload: the remux or mezzanine written next to it. */
const SCRATCH_FACTOR = 2.5;

export async function runIngest(videoId: string, deps: IngestDependencies, signal: AbortSignal): Promise<void> {
  const record = await deps.videos.find(videoId);
  if (record === undefined) throw WorkerErrors.create('VIDEO_MISSING', `no video ${videoId}: it was deleted before its ingest`);
  if (record.state === 'ready') return;
  const { facts, size } = await deps.scratch.use((dir) => makeSource(videoId, dir, deps, signal));
  // No expiry: the facts live as long as the video (a later re-probe could read another frame rate).
  await deps.redis.set(deps.keys.sourceFacts(videoId), JSON.stringify(facts));
  await deps.videos.update(videoId, (current) => recordFromFacts(current, facts, size));
  await pretranscodeHead(videoId, facts, DEFAULT_PROFILES, deps.head, signal);
  await deps.videos.update(videoId, (current) => ({ ...current, state: 'ready' }));
  await deps.storage.deleteMany([uploadObjectKey(videoId)]);
  deps.log.info({ videoId, size, duration: facts.duration }, 'video ready');
}

/** Download, inspect, normalize, probe what workers will read, and put it in place. */
async function makeSource(videoId: string, dir: string, deps: IngestDependencies, signal: AbortSignal): Promise<{ facts: SourceFacts; size: number }> {
  const upload = join(dir, 'upload');
  await download(uploadObjectKey(videoId), upload, deps, signal);
  const { verdict } = await inspectSource(upload, { limits: deps.limits, signal, ...(deps.toolTimeoutMs === undefined ? {} : { timeoutMs: deps.toolTimeoutMs }) });
  if (verdict.outcome === 'refused') throw IngestErrors.create(verdict.refusal.code, verdict.refusal.message);
  const { plan } = verdict;
  const normalized = join(dir, 'source.mp4');
  const result = await normalizeSource(upload, plan, { target: { path: normalized }, scratchDir: dir, signal });
  const mp4 = result.action === 'none' ? upload : normalized;
  const facts = factsFromPlan(await ffprobe(mp4, { protocols: ['file'] }), plan, result.action === 'none' ? 'same-file' : 'normalized');
  await deps.storage.put(sourceObjectKey(videoId), createReadStream(mp4), { contentType: 'video/mp4' });
  deps.log.info({ videoId, action: result.action, container: plan.container, notes: plan.notes }, 'source in place');
  return { facts, size: (await stat(mp4)).size };
}

/** The upload to a local file, refused before a byte is written when the scratch cannot hold it. */
async function download(key: string, path: string, deps: IngestDependencies, signal: AbortSignal): Promise<void> {
  const info = await deps.storage.head(key);
  if (info === undefined) throw WorkerErrors.create('UPLOAD_MISSING', `the upload ${key} is not in object storage`);
  const free = await deps.scratch.freeBytes();
  if (info.size * SCRATCH_FACTOR > free) {
    throw IngestErrors.create('INGEST_FAILED', 'this worker has no room for the upload in its scratch', { details: { bytes: info.size, free } });
  }
  await pipeline(await deps.storage.getRange(key), createWriteStream(path), { signal });
}
