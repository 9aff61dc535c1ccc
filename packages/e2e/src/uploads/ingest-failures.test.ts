/**
 * How an upload ends when ingest cannot make it a video, through the real pieces (this API, the
 * queue, `kiln worker` processes, Redis, an S3 API server): the configured duration limit refuses
 * it, once; a job that fails every attempt, for a real reason (a worker whose scratch is unusable,
 * a worker killed on every attempt), ends `failed` with a code. Never `processing` for good.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOB_ATTEMPTS, isProcessAlive } from '@kiln/shared';
import { makeTempDir, removeTempDir, sampleMediaFile, waitFor } from '@kiln/shared/testing';
import { endedIngestJob, ingestJobState } from '../testing/ingest-job.js';
import { startCluster, type Cluster } from '../testing/cluster.js';
import { settledVideo, uploadFile, videoView } from '../testing/upload-client.js';

let cluster: Cluster;
/** Workers started by the test running now: all stopped, their ffmpeg gone, at its end. */
const started = new Set<string>();
const ffmpegSeen = new Set<number>();

before(async () => {
  cluster = await startCluster({ maxBytes: 8 * 1024 * 1024 });
});
after(() => cluster.stop());

afterEach(async () => {
  for (const id of started) await cluster.stopWorker(id);
  started.clear();
  await waitFor('ffmpeg to exit', () => [...ffmpegSeen].every((pid) => !isProcessAlive(pid)), 100);
  ffmpegSeen.clear();
});

async function startPretranscodeWorker(id: string, env: Record<string, string> = {}, machineOf = id): Promise<void> {
  cluster.startWorker(id, 'pretranscode', machineOf, env);
  started.add(id);
  await waitFor(`${id}'s load report`, async () => (await cluster.redis.exists(cluster.keys.workerLoad(id))) === 1);
}

const job = (id: string) => ingestJobState(cluster.redis, cluster.keys, id);
const failedJob = (id: string) => endedIngestJob(cluster.redis, cluster.keys, id);

test('KILN_INGEST_MAX_DURATION: a longer upload is refused with TOO_LONG, once; a shorter one becomes ready', async () => {
  await startPretranscodeWorker('limited', { KILN_INGEST_MAX_DURATION: '10s' });
  const long = await uploadFile(cluster.base, sampleMediaFile('h264-aac-moov-at-end-15s.mp4'));
  const short = await uploadFile(cluster.base, sampleMediaFile('h264-noaudio-720p-1s.mp4'));
  const refused = await settledVideo(cluster.base, long);
  assert.equal(refused.state, 'failed');
  assert.equal(refused.error?.code, 'TOO_LONG', JSON.stringify(refused.error));
  assert.match(refused.error?.message ?? '', /\d/, 'the message names the lengths');
  assert.deepEqual(await failedJob(long), { state: 'failed', attemptsStarted: 1, attemptsMade: 1 }, 'a refusal is not retried');
  assert.equal(await cluster.storage.head(`uploads/${long}`), undefined, 'a refused upload is not kept');
  assert.equal((await settledVideo(cluster.base, short)).state, 'ready');
});

test('a job that fails every attempt (its worker has no usable scratch) ends failed with a code after JOB_ATTEMPTS tries', async () => {
  // A file where the job directory should go: every attempt fails to make it, a reason that may pass, so it is retried.
  const scratch = await makeTempDir('kiln-broken-scratch-');
  try {
    await writeFile(join(scratch, 'jobs'), 'not a directory');
    await startPretranscodeWorker('broken', { KILN_WORKER_SCRATCH_DIR: scratch });
    const id = await uploadFile(cluster.base, sampleMediaFile('h264-noaudio-720p-1s.mp4'));
    const view = await settledVideo(cluster.base, id);
    assert.equal(view.state, 'failed');
    assert.equal(view.error?.code, 'INGEST_FAILED', JSON.stringify(view.error));
    assert.deepEqual(await failedJob(id), { state: 'failed', attemptsStarted: JOB_ATTEMPTS, attemptsMade: JOB_ATTEMPTS });
    assert.equal(await cluster.storage.head(`uploads/${id}`), undefined, 'an upload that cannot become a video is not kept');
  } finally {
    await removeTempDir(scratch);
  }
});

test('a job whose worker is killed on every attempt ends failed with JOB_INTERRUPTED, not processing', async () => {
  const id = await uploadFile(cluster.base, sampleMediaFile('vp8-vorbis-45s.webm'));
  let kills = 0;
  let survivor = false;
  // Each worker takes the job (stalled jobs go back to the queue once their lock lapses) and dies with it.
  for (let attempt = 1; (await videoView(cluster.base, id)).state === 'processing'; attempt += 1) {
    assert.ok(attempt <= 2 * JOB_ATTEMPTS + 3, 'the video left processing after a bounded number of attempts');
    const worker = `doomed${attempt}`;
    await startPretranscodeWorker(worker, {}, 'doomed');
    await waitFor(`attempt ${attempt} to start, or the video to settle`, async () =>
      (await job(id)).attemptsStarted >= attempt || (await videoView(cluster.base, id)).state !== 'processing');
    if ((await videoView(cluster.base, id)).state !== 'processing') {
      survivor = true;
      break;
    }
    for (const pid of await cluster.ffmpegOf(worker)) ffmpegSeen.add(pid);
    await cluster.stopWorker(worker, 'SIGKILL');
    kills += 1;
  }
  const view = await settledVideo(cluster.base, id);
  assert.equal(view.state, 'failed');
  assert.equal(view.error?.code, 'JOB_INTERRUPTED', JSON.stringify(view.error));
  assert.ok(kills >= JOB_ATTEMPTS, `${kills} workers killed before the job was given up`);
  // The last worker may have marked the video failed just before it was killed, its job still
  // active: a worker that lives takes the stalled job up again and fails it for good.
  if (!survivor) await startPretranscodeWorker('doomed-last', {}, 'doomed');
  await failedJob(id);
  assert.deepEqual(await cluster.scratchLeft('doomed'), [], 'the last worker on that machine cleaned up after the dead ones');
});
