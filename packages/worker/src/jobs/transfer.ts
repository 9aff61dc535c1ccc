/**
 * Moving an upload's bytes: to the job's scratch (refused before a byte is written when the
 * scratch cannot hold it), and for an upload that is its own source, to `sources/{id}.mp4` in
 * the same pass, so its bytes are read from object storage once.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
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
  await pipeline(await deps.storage.getRange(uploadObjectKey(videoId)), createWriteStream(path), { signal });
}

/** The upload to a local file and, from the same bytes, to the video's source key. */
export async function downloadUploadAsSource(videoId: string, path: string, deps: TransferDependencies, signal: AbortSignal): Promise<void> {
  await checkRoom(uploadObjectKey(videoId), deps);
  const copy = new PassThrough();
  const stored = deps.storage.put(sourceObjectKey(videoId), copy, { contentType: 'video/mp4' });
  stored.catch(() => undefined); // awaited below, after the download
  try {
    await pipeline(await deps.storage.getRange(uploadObjectKey(videoId)), teeInto(copy), createWriteStream(path), { signal });
  } catch (error) {
    copy.destroy(error instanceof Error ? error : new Error(String(error)));
    await stored.catch(() => undefined);
    throw error;
  }
  await stored;
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

/** Passes every chunk on once `copy` has taken it too: the slower of the two sets the pace. */
function teeInto(copy: PassThrough): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      copy.write(chunk, (error) => (error ? callback(error) : callback(null, chunk)));
    },
    flush(callback) {
      copy.end(callback);
    },
  });
}
