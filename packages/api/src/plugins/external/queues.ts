/**
 * The API's side of the job queues: it only enqueues. BullMQ keeps its keys under
 * `RedisKeys.bullPrefix`; names, job shapes and options come from `@kiln/shared`.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, jobOptions, type KilnJob, type RedisKeys } from '@kiln/shared';

export interface JobQueue {
  enqueue(job: KilnJob): Promise<void>;
  close(): Promise<void>;
}

/** `connection` is shared with the caller, who closes it; `close` only stops the queue. */
export function createJobQueue(connection: Redis, keys: RedisKeys): JobQueue {
  const queue = new Queue<KilnJob, unknown, KilnJob['type']>(QUEUE_NAMES.pretranscode, { connection, prefix: keys.bullPrefix });
  return {
    async enqueue(job) {
      await queue.add(job.type, job, jobOptions(job));
    },
    close: () => queue.close(),
  };
}
