/**
 * A simple upload (one request, `curl --data-binary @file`): the body is streamed to object storage
 * under a generated id, never held in memory whole, and counted on the way so an upload past the
 * limit stops at once. Whatever goes wrong, nothing is left behind: no object, no record.
 */
import { Transform, type Readable } from 'node:stream';
import {
  isKilnError, newVideoId, rational, sourceObjectKey, uploadObjectKey,
  type KilnJob, type ObjectStorage, type VideoRecord,
} from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import type { JobQueue } from '../plugins/external/queues.js';
import type { VideoRepository } from '../videos/repository.js';

/** An `uploading` record whose request never ended (the API died) disappears after this. */
export const UPLOADING_TTL_SECONDS = 24 * 3600;

export interface UploadDependencies {
  readonly storage: ObjectStorage;
  readonly videos: VideoRepository;
  readonly queue: JobQueue;
  readonly maxBytes: number;
  readonly now: () => Date;
}

export interface ReceivedUpload {
  readonly id: string;
  readonly state: VideoRecord['state'];
}

/** Counts bytes through, and fails the stream with UPLOAD_TOO_LARGE past `maxBytes`. */
export function byteLimit(maxBytes: number): Transform & { readonly bytes: () => number } {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(tooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
  return Object.assign(limiter, { bytes: () => seen });
}

export function tooLarge(maxBytes: number) {
  return ApiErrors.create('UPLOAD_TOO_LARGE', `the upload is larger than ${maxBytes} bytes`, { details: { maxBytes } });
}

function newRecord(id: string, state: VideoRecord['state'], size: number, now: Date): VideoRecord {
  return { id, state, sourceKey: sourceObjectKey(id), size, duration: rational(0), hasAudio: false, createdAt: now.getTime() };
}

/** Stores `body` as `uploads/{id}`, creates the record (`processing`) and enqueues its ingest. */
export async function receiveUpload(body: Readable, deps: UploadDependencies): Promise<ReceivedUpload> {
  const id = newVideoId();
  const key = uploadObjectKey(id);
  const createdAt = await beginUpload(id, deps);
  let size: number;
  try {
    size = await store(body, key, deps);
  } catch (error) {
    await Promise.allSettled([deps.storage.deleteMany([key]), deps.videos.remove(id)]);
    throw error;
  }
  return startProcessing(id, size, createdAt, deps);
}

/** The `uploading` record, with a TTL: an upload whose bytes never all arrive disappears on its own. */
export async function beginUpload(id: string, deps: UploadDependencies): Promise<Date> {
  const createdAt = deps.now();
  await deps.videos.save(newRecord(id, 'uploading', 0, createdAt), { ttlSeconds: UPLOADING_TTL_SECONDS });
  return createdAt;
}

/** Every byte is in `uploads/{id}`: the record becomes `processing` (no TTL) and its ingest is queued. */
export async function startProcessing(id: string, size: number, createdAt: Date, deps: UploadDependencies): Promise<ReceivedUpload> {
  const record = newRecord(id, 'processing', size, createdAt);
  await deps.videos.save(record);
  await enqueueIngest(record, deps);
  return { id, state: record.state };
}

async function store(body: Readable, key: string, deps: UploadDependencies): Promise<number> {
  const limiter = byteLimit(deps.maxBytes);
  // A client that hangs up mid-way ends the body early: the storage write must fail, not keep half.
  body.once('aborted', () => limiter.destroy(ApiErrors.create('UPLOAD_INCOMPLETE')));
  body.once('error', (error) => limiter.destroy(error));
  try {
    await deps.storage.put(key, body.pipe(limiter), { contentType: 'application/octet-stream' });
  } catch (error) {
    // Drivers wrap stream errors; the limiter's own verdict is what the client should hear.
    if (limiter.bytes() > deps.maxBytes) throw tooLarge(deps.maxBytes);
    if (body.readableAborted || (isKilnError(error) && error.code === 'UPLOAD_INCOMPLETE')) throw ApiErrors.create('UPLOAD_INCOMPLETE', undefined, { cause: error });
    throw error;
  }
  if (limiter.bytes() === 0) throw ApiErrors.create('UPLOAD_EMPTY');
  return limiter.bytes();
}

/** A video whose job could not be enqueued would stay `processing` forever: it is failed instead. */
async function enqueueIngest(record: VideoRecord, deps: UploadDependencies): Promise<void> {
  const job: KilnJob = { type: 'ingest', videoId: record.id };
  try {
    await deps.queue.enqueue(job);
  } catch (error) {
    const failure = { code: 'INGEST_NOT_QUEUED', message: 'the upload was stored but its processing could not be queued' };
    await deps.videos.save({ ...record, state: 'failed', error: failure }).catch(() => undefined);
    throw error;
  }
}
