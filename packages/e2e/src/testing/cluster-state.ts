/**
 * What benchmarks ask a test cluster about its workers: whether they are idle, whether the upload
 * queue has drained, and an on-demand worker's counters from its `/metrics`.
 */
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '@kiln/shared';
import { waitFor } from '@kiln/shared/testing';
import type { Cluster } from './cluster.js';

/** Waits until none of `workerIds` runs an ffmpeg, so one measurement does not pay for the previous one's encode. */
export async function workersIdle(cluster: Cluster, workerIds: readonly string[], attempts = 1_200): Promise<void> {
  await waitFor('workers idle', async () => (await Promise.all(workerIds.map((id) => cluster.ffmpegOf(id)))).every((pids) => pids.length === 0), attempts);
}

/**
 * Waits until the `pretranscode` queue holds no job waiting, delayed or running but the repeated
 * ones (retention's schedule): every upload's work is done, whether the video was ready before or not.
 */
export async function uploadQueueDrained(cluster: Cluster, attempts = 1_200): Promise<void> {
  const queue = new Queue(QUEUE_NAMES.pretranscode, { connection: cluster.redis, prefix: cluster.keys.bullPrefix });
  try {
    await waitFor('the pretranscode queue to drain', async () => {
      const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
      return jobs.every((job) => job.repeatJobKey !== undefined);
    }, attempts);
  } finally {
    await queue.close();
  }
}

/** The unlabelled samples of a Prometheus text exposition, by metric name. */
export function parseCounters(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const match of text.matchAll(/^([a-z_]+) (\S+)$/gm)) counters.set(match[1] ?? '', Number(match[2]));
  return counters;
}

/** A worker's `/metrics` (at the URL of its load report), parsed. */
export async function workerCounters(cluster: Cluster, workerId: string): Promise<Map<string, number>> {
  const url = await cluster.redis.hget(cluster.keys.workerLoad(workerId), 'url');
  if (url === null) throw new Error(`worker ${workerId} has no load report`);
  const response = await fetch(new URL('/metrics', url));
  if (response.status !== 200) throw new Error(`GET ${url}/metrics: HTTP ${response.status}`);
  return parseCounters(await response.text());
}
