/**
 * The WorkerClient over HTTP, against the worker's routes (packages/worker/src/http/app.ts):
 * `POST /transcodes {video, rendition, segment, session}` and `GET /segments/{video}/{rendition}/{n}.ts?session=`.
 * The worker finds the source and plans the rendition itself (from `{profile}-{rung}`), so the job's
 * profile, rung and source key are not sent. 503 (full, draining) and connection failures mean
 * "route elsewhere"; any other failure is WORKER_FAILED.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { segmentFileName } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import type { SegmentJob, SegmentStream, WorkerClient } from './client.js';
import { WorkerUnavailableError } from './client.js';

async function send(workerUrl: string, path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(new URL(path, workerUrl), init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new WorkerUnavailableError(workerUrl, 'no answer', { cause: error });
  }
  if (response.status === 503) {
    await response.body?.cancel();
    throw new WorkerUnavailableError(workerUrl, 'full or draining');
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw ApiErrors.create('WORKER_FAILED', undefined, { details: { status: response.status, body: text.slice(0, 300) } });
  }
  return response;
}

function segmentPath(job: SegmentJob): string {
  const session = job.sessionId === undefined ? '' : `?session=${encodeURIComponent(job.sessionId)}`;
  return `/segments/${encodeURIComponent(job.videoId)}/${encodeURIComponent(job.renditionId)}/${segmentFileName(job.segment)}${session}`;
}

export function createHttpWorkerClient(): WorkerClient {
  return {
    async ensureTranscode(workerUrl, job, signal) {
      const response = await send(workerUrl, '/transcodes', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ video: job.videoId, rendition: job.renditionId, segment: job.segment, ...(job.sessionId === undefined ? {} : { session: job.sessionId }) }),
        ...(signal ? { signal } : {}),
      });
      await response.body?.cancel();
    },
    async fetchSegment(workerUrl, job, signal): Promise<SegmentStream> {
      const response = await send(workerUrl, segmentPath(job), signal ? { signal } : {});
      if (response.body === null) throw ApiErrors.create('WORKER_FAILED', 'the worker sent no segment');
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      return Number.isSafeInteger(length) ? { body, contentLength: length } : { body };
    },
  };
}
