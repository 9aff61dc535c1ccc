/**
 * A segment from wherever it is: the cache in object storage first (streamed in place, never a
 * redirect: Apple forbids them for media), else the session's worker, else the least-loaded live
 * worker when that one is gone or full.
 */
import type { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { ObjectStorage, RedisKeys, SegmentCacheEntry } from '@kiln/shared';
import { SharedErrors, parseSegmentCacheEntry, segmentAccessMember, segmentObjectKey } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import type { Scheduler, WorkerChoice } from '../scheduling/scheduler.js';
import type { SegmentJob, WorkerClient } from '../workers/client.js';
import { WorkerUnavailableError } from '../workers/client.js';

/** Workers tried for one segment before answering NO_WORKER_AVAILABLE. */
const MAX_WORKER_ATTEMPTS = 3;

export interface RoutedSegment {
  readonly source: 'cache' | 'worker';
  readonly body: Readable;
  readonly contentLength?: number;
  readonly workerId?: string;
}

export interface SegmentRouterOptions {
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly scheduler: Scheduler;
  readonly workers: WorkerClient;
  readonly log: { warn(details: object, message: string): void };
  readonly now: () => Date;
}

export interface SegmentRequest {
  readonly job: SegmentJob;
  readonly sessionId: string;
  readonly sessionTtlMs: number;
  readonly signal?: AbortSignal;
  /** The segment's cache index entry from `lookup`, when the caller read it alongside other reads. */
  readonly cached?: SegmentCacheEntry | undefined;
}

export interface SegmentRouter {
  /** The cache index entry of a segment, if it is cached: one Redis read, safe to start early. */
  lookup(videoId: string, renditionId: string, segment: number): Promise<SegmentCacheEntry | undefined>;
  /** Every cached segment of a rendition, by number (one Redis read). */
  cachedIndex(videoId: string, renditionId: string): Promise<Map<number, SegmentCacheEntry>>;
  route(request: SegmentRequest): Promise<RoutedSegment>;
}

export function createSegmentRouter(options: SegmentRouterOptions): SegmentRouter {
  const { storage, redis, keys, log } = options;

  const lookup = async (videoId: string, renditionId: string, segment: number): Promise<SegmentCacheEntry | undefined> =>
    parseSegmentCacheEntry(await redis.hget(keys.segmentIndex(videoId, renditionId), String(segment)));

  const cachedIndex = async (videoId: string, renditionId: string): Promise<Map<number, SegmentCacheEntry>> => {
    const fields = await redis.hgetall(keys.segmentIndex(videoId, renditionId));
    const entries = new Map<number, SegmentCacheEntry>();
    for (const [field, raw] of Object.entries(fields)) {
      const entry = parseSegmentCacheEntry(raw);
      if (entry !== undefined && /^\d+$/.test(field)) entries.set(Number(field), entry);
    }
    return entries;
  };

  const fromCache = async (job: SegmentJob, entry: SegmentCacheEntry | undefined): Promise<RoutedSegment | undefined> => {
    if (entry === undefined) return undefined;
    let body: Readable;
    try {
      body = await storage.getRange(segmentObjectKey(job.videoId, job.renditionId, job.segment));
    } catch (error) {
      // Evicted between the index read and now: a miss, not an error.
      if (SharedErrors.is(error, 'STORAGE_NOT_FOUND')) return undefined;
      throw error;
    }
    // Recorded once the body is out, so the write does not compete with sending it.
    body.once('close', () => {
      touch(job, entry).catch((error: unknown) => log.warn({ err: error, segment: job.segment }, 'cache access not recorded'));
    });
    return { source: 'cache', body, contentLength: entry.bytes };
  };

  // Last access feeds retention (LRU, expiry), in the worker's index format; it must not fail playback.
  const touch = async (job: SegmentJob, entry: SegmentCacheEntry): Promise<void> => {
    const now = options.now().getTime();
    await redis
      .multi()
      .hset(keys.segmentIndex(job.videoId, job.renditionId), String(job.segment), JSON.stringify({ ...entry, accessed: now }))
      .zadd(keys.segmentsByAccess(), now, segmentAccessMember(job.videoId, job.renditionId, job.segment))
      .exec();
  };

  const fromWorker = async (choice: WorkerChoice, request: SegmentRequest): Promise<RoutedSegment> => {
    try {
      if (choice.decision !== 'sticky') await options.workers.ensureTranscode(choice.url, request.job, request.signal);
      const stream = await options.workers.fetchSegment(choice.url, request.job, request.signal);
      return { source: 'worker', workerId: choice.workerId, ...stream };
    } catch (error) {
      await options.scheduler.release(choice);
      throw error;
    }
  };

  const viaWorkers = async (request: SegmentRequest): Promise<RoutedSegment> => {
    let exclude: string | undefined;
    for (let attempt = 0; attempt < MAX_WORKER_ATTEMPTS; attempt += 1) {
      const choice = await options.scheduler.pick(request.sessionId, { sessionTtlMs: request.sessionTtlMs, ...(exclude ? { exclude } : {}) });
      if (choice === undefined) break;
      try {
        return await fromWorker(choice, request);
      } catch (error) {
        if (!(error instanceof WorkerUnavailableError)) throw error;
        log.warn({ workerId: choice.workerId, err: error, segment: request.job.segment }, 'worker unavailable; rescheduling');
        exclude = choice.workerId;
      }
    }
    throw ApiErrors.create('NO_WORKER_AVAILABLE');
  };

  return {
    lookup,
    cachedIndex,
    async route(request) {
      const { job } = request;
      const entry = 'cached' in request ? request.cached : await lookup(job.videoId, job.renditionId, job.segment);
      return (await fromCache(job, entry)) ?? viaWorkers(request);
    },
  };
}
