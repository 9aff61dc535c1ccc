import type { Redis } from 'ioredis';
import type { Logger, RedisKeys } from '@kiln/shared';

/** What a worker tells the scheduler about itself, every interval. */
export interface LoadSnapshot {
  readonly active: number;
  readonly capacity: number;
  readonly draining: boolean;
  /** Recent encode speed as × realtime (0 until a transcode has run). */
  readonly speed: number;
}

export interface WorkerIdentity {
  readonly id: string;
  readonly url: string;
  readonly role: 'ondemand' | 'pretranscode';
}

export interface LoadReporterOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly worker: WorkerIdentity;
  readonly snapshot: () => LoadSnapshot;
  readonly intervalMs: number;
  readonly ttlMs: number;
  readonly log: Logger;
}

/** The Redis hash fields of one report; the scheduler's Lua script reads these names. */
export function loadReportFields(worker: WorkerIdentity, load: LoadSnapshot, now: number): Record<string, string> {
  return {
    id: worker.id,
    url: worker.url,
    role: worker.role,
    active: String(load.active),
    capacity: String(load.capacity),
    draining: load.draining ? '1' : '0',
    speed: load.speed.toFixed(3),
    reportedAt: String(now),
  };
}

/**
 * Reports load every interval with a TTL: a worker that dies stops reporting and its report
 * expires, which is how the scheduler learns it is gone. `stop()` removes the report at once.
 */
export function startLoadReports(options: LoadReporterOptions): { stop(): Promise<void>; reportNow(): Promise<void> } {
  const { redis, keys, worker } = options;
  const reportKey = keys.workerLoad(worker.id);
  const reportNow = async () => {
    const now = Date.now();
    await redis
      .multi()
      .hset(reportKey, loadReportFields(worker, options.snapshot(), now))
      .pexpire(reportKey, options.ttlMs)
      .zadd(keys.workers(), now, worker.id)
      .exec();
  };
  const tick = () => {
    reportNow().catch((error: unknown) => options.log.warn({ err: error }, 'load report failed'));
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    reportNow,
    stop: async () => {
      clearInterval(timer);
      await redis.multi().del(reportKey).zrem(keys.workers(), worker.id).exec();
    },
  };
}
