/**
 * Moving an upload's bytes: to the job's scratch (refused before a byte is written when the
 * scratch cannot hold it), and for an upload that is its own source, to `sources/{id}.mp4` by a
 * copy inside the store.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { sourceObjectKey, uploadObjectKey, type ObjectStorage } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { IngestErrors } from '../ingest/index.js';
import type { JobScratch } from './scratch.js';

export interface TransferDependencies {
  readonly storage: ObjectStorage;
  readonly scratch: JobScratch;
}

/** Room kept free beside the upload: the remux or mezzanine written next to it. */
const SCRATCH_FACTOR = 2.5;

/** The upload to a local file. */
export async function downloadUpload(videoId: string, path: string, deps: TransferDependencies, signal: AbortSignal): Promise<void> {
  await checkRoom(uploadObjectKey(videoId), deps);
  await downloadTo(path, videoId, deps, signal);
}

async function downloadTo(path: string, videoId: string, deps: TransferDependencies, signal: AbortSignal): Promise<void> {
  await pipeline(await deps.storage.getRange(uploadObjectKey(videoId)), createWriteStream(path), { signal });
}

/**
 * The upload to the video's source key inside the store (S3 CopyObject: the bytes are not sent
 * again). A copy made for an ingest that then fails is overwritten by the next attempt, or removed
 * with the rest when the ingest fails for good.
 */
export async function copyUploadAsSource(videoId: string, storage: ObjectStorage): Promise<void> {
  await storage.copy(uploadObjectKey(videoId), sourceObjectKey(videoId));
}

/** A local MP4 to the video's source key. */
export async function putSource(videoId: string, path: string, storage: ObjectStorage): Promise<void> {
  await storage.put(sourceObjectKey(videoId), createReadStream(path), { contentType: 'video/mp4' });
}

async function checkRoom(key: string, deps: TransferDependencies): Promise<void> {
  const info = await deps.storage.head(key);
  if (info === undefined) throw WorkerErrors.create('UPLOAD_MISSING', `the upload ${key} is not in object storage`);
  const free = await deps.scratch.freeBytes();
  if (info.size * SCRATCH_FACTOR > free) {
    throw IngestErrors.create('INGEST_FAILED', 'this worker has no room for the upload in its scratch', { details: { bytes: info.size, free } });
  }
}
