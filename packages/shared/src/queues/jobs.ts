/**
 * The job queues, named once: what the API enqueues and the workers run. BullMQ itself lives in
 * the api and worker packages; this file holds only names, shapes and options, so `shared` needs
 * no queue library.
 */
import { isProfileName, type ProfileName } from '../media/index.js';
import { isVideoId } from '../videos/keys.js';

export const QUEUE_NAMES = {
  /** Uploads: ingest, then the pinned opening; run by `KILN_WORKER_ROLE=pretranscode`. */
  pretranscode: 'pretranscode',
} as const;

/** The profiles whose renditions get a pinned opening: what phones and browsers ask for. */
export const DEFAULT_PROFILES: readonly ProfileName[] = Object.freeze(['mobile', 'desktop']);

/** The pinned opening: the first three segments (2 + 2 + 3 s on the schedule), pre-transcoded. */
export const PRETRANSCODE_SEGMENTS = 3;

/** An upload in `uploads/{videoId}`: probe, refuse or normalize, then the opening, then `ready`. */
export interface IngestJob {
  readonly type: 'ingest';
  readonly videoId: string;
}

/** The opening of an existing video's renditions again (e.g. after profiles changed). */
export interface PretranscodeJob {
  readonly type: 'pretranscode';
  readonly videoId: string;
  readonly profiles: readonly ProfileName[];
}

/** The cache janitor (expiry, byte budget); repeated by one job scheduler shared by every worker. */
export interface RetentionJob {
  readonly type: 'retention';
}

export type KilnJob = IngestJob | PretranscodeJob | RetentionJob;

/** The fixed id of the retention job scheduler: every worker upserts the same one, so one schedule exists. */
export const RETENTION_SCHEDULER_ID = 'retention';

/** Tries of a job that fails for a reason that may pass (a tool crashed, storage hiccup). */
export const JOB_ATTEMPTS = 3;

/** BullMQ job options, as plain data (the shape of its JobsOptions). */
export interface JobOptions {
  readonly jobId: string;
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential'; readonly delay: number };
  readonly removeOnComplete: { readonly age: number; readonly count: number };
  readonly removeOnFail: { readonly age: number };
}

/** One job per video and type at a time: enqueueing twice does not run twice. */
export function jobOptions(job: KilnJob): JobOptions {
  return {
    jobId: job.type === 'retention' ? job.type : `${job.type}-${job.videoId}`,
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** The job a queue entry holds, or undefined when it is not one we know (an older or foreign producer). */
export function parseJob(data: unknown): KilnJob | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, videoId, profiles } = data as Record<string, unknown>;
  if (type === 'retention') return { type };
  if (typeof videoId !== 'string' || !isVideoId(videoId)) return undefined;
  if (type === 'ingest') return { type, videoId };
  if (type === 'pretranscode' && Array.isArray(profiles) && profiles.every(isProfileName)) return { type, videoId, profiles };
  return undefined;
}
