/**
 * Assembles an on-demand worker's transcoding from its configuration: object storage, the source
 * opener, the facts and segment caches, the pid registry (and its sweep of a crashed worker's
 * ffmpeg processes), and the manager.
 */
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import {
  createRedisKeys, createStorage, defaultWorkerCapacity, moduleLogger, storageOptionsFromConfig,
  type Logger, type ObjectStorage, type WorkerConfig,
} from '@kiln/shared';
import { TranscodeManager } from './manager/manager.js';
import { SegmentCache } from './segments/cache.js';
import { FactsCache } from './transcode/facts-cache.js';
import { ProcessRegistry } from './transcode/processes.js';
import { fastStartSource } from './transcode/fast-start-source.js';
import type { SourceOpener } from './transcode/source.js';

/** 720 segments ≈ 1 h: its keyframe list stays far below Linux's 128 KiB limit for one argument. */
export const MAX_RUN_SEGMENTS = 720;

export interface Transcoding {
  readonly manager: TranscodeManager;
  readonly storage: ObjectStorage;
  readonly opener: SourceOpener;
  readonly processes: ProcessRegistry;
  /** Stops every run, waits for uploads, closes the source endpoint. */
  close(): Promise<void>;
}

export function scratchDirectory(config: Pick<WorkerConfig, 'workerScratchDir' | 'dataDir'>): string {
  return resolve(config.workerScratchDir ?? `${config.dataDir}/worker-scratch`);
}

export async function startTranscoding(config: WorkerConfig, redis: Redis, log: Logger): Promise<Transcoding> {
  const storage = createStorage(storageOptionsFromConfig(config));
  const keys = createRedisKeys(config.redisPrefix);
  const processes = new ProcessRegistry(scratchDirectory(config), moduleLogger(log, 'processes'));
  const leftovers = await processes.killLeftovers();
  if (leftovers > 0) log.warn({ leftovers }, 'killed ffmpeg processes of a worker that died');
  // The fast-start view; `storageRangeSource` over `startRangeServer` is the plain-range fallback.
  const opener = fastStartSource(storage);
  const manager = new TranscodeManager({
    capacity: config.workerCapacity ?? defaultWorkerCapacity(),
    runAhead: config.workerRunAhead,
    seekDistance: config.workerSeekDistance,
    idleMs: config.workerIdleTimeout,
    segmentWaitMs: config.workerSegmentWait,
    memoryBytes: config.workerMemory,
    maxRunSegments: MAX_RUN_SEGMENTS,
    threads: 0,
    preset: config.workerPreset,
    firstSegmentAlone: config.workerFirstSegmentAlone,
    opener,
    facts: new FactsCache(redis, keys, opener),
    cache: new SegmentCache(storage, redis, keys),
    processes,
    log: moduleLogger(log, 'transcode'),
  });
  return {
    manager, storage, opener, processes,
    close: async () => {
      await manager.drain();
    },
  };
}
