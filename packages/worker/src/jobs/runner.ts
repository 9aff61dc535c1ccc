/**
 * A `pretranscode` worker's queue consumer: a BullMQ Worker on the upload queue, dispatching each
 * job by its `type`. Failures that retrying cannot fix (a refused file: 4xx codes) are
 * `UnrecoverableError`; an ingest that fails for good marks its video `failed`, so no video stays
 * `processing`. A job whose worker died is picked up again once its lock expires (stalled jobs).
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JOB_ATTEMPTS, QUEUE_NAMES, isKilnError, parseJob,
  type KilnJob, type Logger, type VideoStore,
} from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { discardIngest } from './discard.js';
import { pretranscodeOpening, type OpeningDependencies } from './opening.js';
import { runIngest, type IngestDependencies } from './ingest.js';
import { runRetention, type JanitorDependencies } from '../retention/janitor.js';
import type { FactsCache } from '../transcode/facts-cache.js';

/** Starts beyond the attempts that only a dead worker explains: stalls allowed before giving up. */
const STALLS_ALLOWED = 2;

export interface JobDependencies {
  readonly ingest: IngestDependencies;
  readonly opening: OpeningDependencies;
  readonly facts: FactsCache;
  readonly retention: JanitorDependencies;
  readonly videos: VideoStore;
  readonly log: Logger;
}

export interface RunnerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  readonly lockDurationMs: number;
}

export interface JobRunner {
  readonly active: () => number;
  close(): Promise<void>;
}

/** A job's work, by type; the switch is exhaustive (a new job type does not compile without a case). */
export async function dispatch(job: KilnJob, deps: JobDependencies, signal: AbortSignal): Promise<void> {
  switch (job.type) {
    case 'ingest':
      return runIngest(job.videoId, deps.ingest, signal);
    case 'pretranscode':
      return pretranscodeOpening(job.videoId, await deps.facts.get(job.videoId), job.profiles, deps.opening, signal);
    case 'retention':
      await runRetention(deps.retention, Date.now(), signal);
      return;
    default:
      return assertNever(job);
  }
}

function assertNever(job: never): never {
  throw WorkerErrors.create('JOB_UNKNOWN', `unknown job ${JSON.stringify(job)}`);
}

/** A refusal of the file or of the request: the same job would fail the same way again. */
export function isPermanent(error: unknown): boolean {
  return error instanceof UnrecoverableError || (isKilnError(error) && error.httpStatus >= 400 && error.httpStatus < 500);
}

export function startJobRunner(options: RunnerOptions, deps: JobDependencies): JobRunner {
  const controllers = new Set<AbortController>();
  const worker = new Worker<unknown, void, string>(QUEUE_NAMES.pretranscode, (job) => processJob(job, deps, controllers), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.lockDurationMs,
    // Never failed by BullMQ for stalling: processJob decides, so the video is marked failed.
    maxStalledCount: JOB_ATTEMPTS + STALLS_ALLOWED + 1,
  });
  worker.on('error', (error) => deps.log.warn({ err: error }, 'job queue error'));
  worker.on('failed', (job, error) => deps.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'));
  return {
    active: () => controllers.size,
    async close() {
      for (const controller of controllers) controller.abort();
      await worker.close();
    },
  };
}

async function processJob(job: Job<unknown, void, string>, deps: JobDependencies, controllers: Set<AbortController>): Promise<void> {
  const data = parseJob(job.data);
  if (data === undefined) throw new UnrecoverableError(`job ${job.id ?? '?'} is not a Kiln job`);
  const log = deps.log.child({ jobId: job.id, type: data.type, videoId: 'videoId' in data ? data.videoId : undefined, attempt: job.attemptsStarted });
  if (job.attemptsStarted > JOB_ATTEMPTS + STALLS_ALLOWED) {
    await fail(data, deps, WorkerErrors.create('JOB_INTERRUPTED'), log);
    throw new UnrecoverableError('the job was interrupted too many times');
  }
  const controller = new AbortController();
  controllers.add(controller);
  try {
    log.info({}, 'job started');
    await dispatch(data, deps, controller.signal);
    log.info({}, 'job done');
  } catch (error) {
    const permanent = isPermanent(error);
    if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await fail(data, deps, error, log);
    throw permanent ? new UnrecoverableError(isKilnError(error) ? `${error.code}: ${error.message}` : String(error)) : error;
  } finally {
    controllers.delete(controller);
  }
}

/** An ingest that will not be tried again leaves its video `failed`, with the code and message. */
async function fail(job: KilnJob, deps: JobDependencies, error: unknown, log: Logger): Promise<void> {
  log.warn({ err: error }, 'job failed for good');
  if (job.type !== 'ingest') return;
  const code = isKilnError(error) ? error.code : 'INGEST_FAILED';
  const message = isKilnError(error) && error.httpStatus < 500 ? error.message : 'the processing of the upload failed';
  await deps.videos.update(job.videoId, (record) => ({ ...record, state: 'failed', error: { code, message } }));
  // The upload cannot become a video any more: keep no bytes of it, nor anything made from it.
  await discardIngest(job.videoId, deps.ingest);
}
