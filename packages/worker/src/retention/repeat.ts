/**
 * The retention job's schedule. Every `pretranscode` worker upserts the same job scheduler (a
 * fixed id), so however many workers start, BullMQ holds one schedule and one pending job.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, RETENTION_SCHEDULER_ID, type RetentionJob } from '@kiln/shared';

/** `connection` stays open: it is the caller's. */
export async function scheduleRetention(connection: Redis, bullPrefix: string, everyMs: number): Promise<void> {
  const queue = new Queue<RetentionJob, unknown, RetentionJob['type']>(QUEUE_NAMES.pretranscode, { connection, prefix: bullPrefix });
  try {
    await queue.upsertJobScheduler(RETENTION_SCHEDULER_ID, { every: everyMs }, {
      name: 'retention',
      data: { type: 'retention' },
      // A failed pass is not retried: the next one runs at the next tick anyway.
      opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } },
    });
  } finally {
    await queue.close();
  }
}
