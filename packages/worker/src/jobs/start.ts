/**
 * Assembles a `pretranscode` worker's job side from its configuration: object storage, Redis for
 * the queue (`maxRetriesPerRequest: null`, as BullMQ workers need), the segment cache, the pid
 * registry (and its sweep of a dead predecessor's ffmpeg), the job scratch, and the queue consumer.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  connectRedis, createRedisKeys, createStorage, createVideoStore, defaultWorkerCapacity, moduleLogger, storageOptionsFromConfig,
  type Logger, type WorkerConfig,
} from '@kiln/shared';
import { DEFAULT_LIMITS } from '../ingest/index.js';
import type { LoadSnapshot } from '../load/report.js';
import { SegmentCache } from '../segments/cache.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import { FactsCache } from '../transcode/facts-cache.js';
import { ProcessRegistry } from '../transcode/processes.js';
import { scratchDirectory } from '../transcoding.js';
import { scheduleRetention } from '../retention/repeat.js';
import { startJobRunner } from './runner.js';
import { JobScratch } from './scratch.js';
import { Slots } from './slots.js';

export interface Jobs {
  readonly snapshot: () => LoadSnapshot;
  /** Stops taking jobs, stops those running (they are retried), waits for ffmpeg to exit. */
  close(): Promise<void>;
}

export async function startJobs(config: WorkerConfig, redis: Redis, log: Logger): Promise<Jobs> {
  const storage = createStorage(storageOptionsFromConfig(config));
  const keys = createRedisKeys(config.redisPrefix);
  const processes = new ProcessRegistry(scratchDirectory(config), moduleLogger(log, 'processes'));
  const scratch = new JobScratch(join(scratchDirectory(config), 'jobs'));
  const leftovers = { processes: await processes.killLeftovers(), directories: await scratch.removeLeftovers() };
  if (leftovers.processes + leftovers.directories > 0) log.warn(leftovers, 'cleaned up after a worker that died');
  const slots = new Slots(config.workerCapacity ?? defaultWorkerCapacity());
  const opener = fastStartSource(storage);
  const jobLog = moduleLogger(log, 'jobs');
  const opening = { opener, cache: new SegmentCache(storage, redis, keys), processes, slots, log: jobLog, preset: config.workerPreset };
  const videos = createVideoStore(redis, keys);
  const limits = { ...DEFAULT_LIMITS, maxDurationSeconds: config.ingestMaxDuration / 1000 };
  const connection = connectRedis(config.redisUrl, { forQueues: true, name: 'kiln-worker-jobs' });
  connection.on('error', (error) => log.warn({ err: error }, 'redis (queue) connection error'));
  const retention = { storage, redis, keys, log: moduleLogger(log, 'retention'), maxAgeMs: config.retentionMaxAge, maxBytes: config.cacheMaxBytes };
  const runner = startJobRunner(
    { connection, prefix: keys.bullPrefix, concurrency: config.pretranscodeConcurrency, lockDurationMs: config.jobLockDuration },
    { ingest: { storage, redis, keys, videos, scratch, limits, opening, log: jobLog }, opening, facts: new FactsCache(redis, keys, opener), retention, videos, log: jobLog },
  );
  await scheduleRetention(connection, keys.bullPrefix, config.retentionInterval);
  let draining = false;
  return {
    snapshot: () => ({ active: slots.active, capacity: slots.capacity, draining, speed: 0 }),
    async close() {
      draining = true;
      await runner.close();
      await processes.settle();
      connection.disconnect();
    },
  };
}
