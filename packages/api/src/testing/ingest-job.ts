/** What BullMQ says about a video's ingest job: its state and how many times it was started and failed. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type RedisKeys } from '@kiln/shared';

export interface IngestJobState {
  readonly state: string | undefined;
  readonly attemptsStarted: number;
  readonly attemptsMade: number;
}

export async function ingestJobState(redis: Redis, keys: RedisKeys, videoId: string): Promise<IngestJobState> {
  const queue = new Queue(QUEUE_NAMES.pretranscode, { connection: redis, prefix: keys.bullPrefix });
  try {
    const job = await queue.getJob(`ingest-${videoId}`);
    return { state: await job?.getState(), attemptsStarted: job?.attemptsStarted ?? 0, attemptsMade: job?.attemptsMade ?? 0 };
  } finally {
    await queue.close();
  }
}
