/**
 * How the API talks to a worker. Routing code depends only on this interface; the HTTP
 * implementation (http-client.ts) follows the worker's routes.
 */
import type { Readable } from 'node:stream';
import type { ProfileName } from '@kiln/shared';

export interface SegmentJob {
  readonly videoId: string;
  /** `mobile-360p`: profile and rung, as in segment URLs and storage keys. */
  readonly renditionId: string;
  readonly profile: ProfileName;
  /** The ladder rung (`360p`, `audio-128k`). */
  readonly rungId: string;
  readonly sourceKey: string;
  readonly segment: number;
  /** The playback session asking: a worker lets the runs of renditions it has left give way. */
  readonly sessionId?: string;
}

export interface SegmentStream {
  readonly body: Readable;
  readonly contentLength?: number;
}

export interface WorkerClient {
  /** Makes sure a transcode that will produce `job.segment` runs on the worker (starting one if needed). */
  ensureTranscode(workerUrl: string, job: SegmentJob, signal?: AbortSignal): Promise<void>;
  /** The segment as the worker serves it, streamed as soon as it is closed. */
  fetchSegment(workerUrl: string, job: SegmentJob, signal?: AbortSignal): Promise<SegmentStream>;
}

/**
 * The worker cannot take this work (gone, full or draining): the segment is routed elsewhere.
 * Any other failure of a worker is WORKER_FAILED.
 */
export class WorkerUnavailableError extends Error {
  constructor(
    readonly workerUrl: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`worker ${workerUrl} is unavailable: ${reason}`, options);
    this.name = 'WorkerUnavailableError';
  }
}
