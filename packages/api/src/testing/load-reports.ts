/** Fake load reports for scheduler and route tests, written the way the worker writes them. */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';

export interface FakeWorker {
  readonly id: string;
  readonly url?: string;
  readonly active: number;
  readonly capacity: number;
  readonly draining?: boolean;
  readonly role?: 'ondemand' | 'pretranscode';
  /** Report lifetime; the worker's default is 5 s. */
  readonly ttlMs?: number;
}

export async function reportLoad(redis: Redis, keys: RedisKeys, worker: FakeWorker): Promise<void> {
  const now = Date.now();
  await redis
    .multi()
    .hset(keys.workerLoad(worker.id), {
      id: worker.id,
      url: worker.url ?? `http://${worker.id}.invalid`,
      role: worker.role ?? 'ondemand',
      active: String(worker.active),
      capacity: String(worker.capacity),
      draining: worker.draining ? '1' : '0',
      speed: '1.000',
      reportedAt: String(now),
    })
    .pexpire(keys.workerLoad(worker.id), worker.ttlMs ?? 5_000)
    .zadd(keys.workers(), now, worker.id)
    .exec();
}
