/** What BullMQ says about a video's ingest job: its state and how many times it was started and failed. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type RedisKeys } from '@kiln/shared';
import { waitFor } from '@kiln/shared/testing';

export interface IngestJobState {
  readonly state: string | undefined;
  readonly attemptsStarted: number;
  readonly attemptsMade: number;
}

export async function ingestJobState(redis: Redis, keys: RedisKeys, videoId: string): Promise<IngestJobState> {
  const queue = new Queue(QUEUE_NAMES.pretranscode, { connection: redis, prefix: keys.bullPrefix });
  try {
    // The state first: BullMQ ends a job (state and counts) in one script, so a job read after its
    // state said `failed` has its final counts; read the other way round, the counts could be older.
    const id = `ingest-${videoId}`;
    const state = await queue.getJobState(id);
    const job = await queue.getJob(id);
    return { state: state === 'unknown' ? undefined : state, attemptsStarted: job?.attemptsStarted ?? 0, attemptsMade: job?.attemptsMade ?? 0 };
  } finally {
    await queue.close();
  }
}

/**
 * The job once BullMQ has ended it. The worker marks the video `failed` (and discards its upload)
 * just before BullMQ moves the job, so a settled video does not yet mean a settled job.
 */
export async function endedIngestJob(redis: Redis, keys: RedisKeys, videoId: string): Promise<IngestJobState> {
  let last: IngestJobState | undefined;
  await waitFor(`the ingest job of ${videoId} to end`, async () => {
    last = await ingestJobState(redis, keys, videoId);
    return last.state === 'failed' || last.state === 'completed';
  }, 100);
  return last ?? (await ingestJobState(redis, keys, videoId));
}
