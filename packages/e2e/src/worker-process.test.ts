/**
 * `kiln worker` as a process: capacity and health, SIGTERM draining, and the sweep of ffmpeg
 * processes a killed worker left behind. Real Redis, s3rver, ffmpeg; the worker's URL comes from
 * its load report in Redis.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { connectRedis, createRedisKeys, createS3Storage, isProcessAlive, sourceObjectKey } from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir, startServices, type RedisService, type S3Service } from '@kiln/shared/testing';
import { decodeFrames, makeSource, waitFor } from '@kiln/worker/testing';
import { KILN_BIN } from './testing/kiln-processes.js';

const RENDITION = 'legacy-180p';
let services: { redis: RedisService; s3: S3Service; stop(): Promise<void> };
let dir: string;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  dir = await makeTempDir('worker-process');
  const source = await readFile(await makeSource(dir));
  const { s3 } = services;
  const storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  await Promise.all(['p-1', 'p-2', 'p-one'].map((video) => storage.put(sourceObjectKey(video), source)));
});
after(async () => {
  await services.stop();
  await removeTempDir(dir);
});

/** Workers a test started: killed after it, so a failed assertion cannot leave one running (and the file hanging). */
const startedWorkers: { child: ChildProcess; exited: Promise<number | null> }[] = [];
afterEach(async () => {
  for (const { child, exited } of startedWorkers.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
});

interface RunningWorker {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

async function startWorker(id: string, scratch: string, prefix: string, env: Record<string, string> = {}): Promise<RunningWorker> {
  const { s3 } = services;
  const child = spawn(process.execPath, [KILN_BIN, 'worker'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env, KILN_REDIS_URL: services.redis.url, KILN_REDIS_PREFIX: prefix, KILN_WORKER_ID: id, KILN_LOG_LEVEL: 'warn',
      KILN_STORAGE: 's3', KILN_S3_ENDPOINT: s3.endpoint, KILN_S3_REGION: s3.region, KILN_S3_BUCKET: s3.bucket,
      KILN_S3_ACCESS_KEY_ID: s3.accessKeyId, KILN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      KILN_WORKER_CAPACITY: '1', KILN_WORKER_SCRATCH_DIR: scratch, KILN_WORKER_PRESET: 'ultrafast', KILN_WORKER_RUN_AHEAD: '2', ...env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  startedWorkers.push({ child, exited });
  const redis = connectRedis(services.redis.url);
  const key = createRedisKeys(prefix).workerLoad(id);
  let url: string | null = null;
  await waitFor(async () => (url = await redis.hget(key, 'url')) !== null, 'the worker to report its load');
  redis.disconnect();
  return { child, url: url!, exited };
}

const ffmpegChildren = async (pid: number) => (await listChildProcesses(pid)).filter((entry) => /ffmpeg/.test(entry.commandLine));
const post = (url: string, body: unknown) => fetch(`${url}/transcodes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('at capacity a new transcode is refused (503) and /health says 503; after SIGTERM the worker drains and exits', async () => {
  const scratch = await makeTempDir('worker-scratch');
  // A run that pauses gives up its slot to new work: this one must keep encoding while the test asks.
  const worker = await startWorker('w-cap', scratch, 'cap', { KILN_WORKER_RUN_AHEAD: '1000' });
  assert.equal((await fetch(`${worker.url}/health`)).status, 200);
  const started = await post(worker.url, { video: 'p-1', rendition: RENDITION, segment: 0 });
  assert.equal(started.status, 201, await started.clone().text());
  const health = await fetch(`${worker.url}/health`);
  assert.equal(health.status, 503);
  assert.equal(((await health.json()) as { status: string }).status, 'full');
  const refused = await post(worker.url, { video: 'p-2', rendition: RENDITION, segment: 0 });
  assert.equal(refused.status, 503);
  assert.equal(((await refused.json()) as { code: string }).code, 'WORKER_FULL');
  await waitFor(async () => (await ffmpegChildren(worker.child.pid!)).length === 1, 'ffmpeg running');
  const [ffmpeg] = await ffmpegChildren(worker.child.pid!);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, 'the worker exits cleanly');
  assert.equal(isProcessAlive(ffmpeg.pid), false, 'its ffmpeg is gone');
  assert.deepEqual(await readdir(scratch), [], 'scratch is empty');
  await removeTempDir(scratch);
});

test('KILN_WORKER_FIRST_SEGMENT_ALONE=false reaches the worker: segment 0 comes from the one output, with B-frames', async () => {
  const scratch = await makeTempDir('worker-scratch');
  const worker = await startWorker('w-one', scratch, 'one', { KILN_WORKER_FIRST_SEGMENT_ALONE: 'false' });
  const response = await fetch(`${worker.url}/segments/p-one/desktop-180p/0.ts`);
  assert.equal(response.status, 200);
  // desktop encodes B-frames; only a split run's first segment (the default) has none.
  const frames = await decodeFrames(Buffer.from(await response.arrayBuffer()));
  assert.ok(frames.some((frame) => frame.type === 'B'), frames.map((frame) => frame.type).join(''));
  const metrics = await (await fetch(`${worker.url}/metrics`)).text();
  assert.match(metrics, /^kiln_worker_ffmpeg_started_total 1$/m);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);
  await removeTempDir(scratch);
});

/** The watchdog shell the shared runner started for `pid`: it kills `pid`'s encoders should `pid` die. */
const watchdogOf = async (pid: number) => (await listChildProcesses(pid)).filter((entry) => /targets=/.test(entry.commandLine));

/** A worker with a paused run (SIGSTOPped ahead of its player, so its ffmpeg cannot end by itself). */
async function workerWithPausedRun(id: string, scratch: string, video: string): Promise<{ worker: RunningWorker; ffmpegPid: number }> {
  const worker = await startWorker(id, scratch, 'crash');
  const started = await fetch(`${worker.url}/segments/${video}/${RENDITION}/0.ts`);
  assert.equal(started.status, 200);
  const [ffmpeg] = await ffmpegChildren(worker.child.pid!);
  assert.ok(ffmpeg !== undefined, 'ffmpeg runs (paused, ahead of its player)');
  await waitFor(async () => (await readdir(scratch)).length === 1, 'its pid file');
  const states = async () => ((await (await fetch(`${worker.url}/transcodes`)).json()) as { runs: { state: string }[] }).runs.map((run) => run.state);
  await waitFor(async () => (await states()).includes('paused'), 'the run paused');
  return { worker, ffmpegPid: ffmpeg.pid };
}

test('a worker killed outright takes its paused ffmpeg with it (the watchdog)', async () => {
  const scratch = await makeTempDir('worker-scratch');
  const { worker, ffmpegPid } = await workerWithPausedRun('w-crash', scratch, 'p-1');
  worker.child.kill('SIGKILL');
  await worker.exited;
  await waitFor(() => !isProcessAlive(ffmpegPid), 'the watchdog killed the orphan');
  await removeTempDir(scratch);
});

test('if the watchdog dies with the worker, the next worker to start kills the orphan', async () => {
  const scratch = await makeTempDir('worker-scratch');
  // Another video: the first crash test left p-1's segment 0 in the cache, and a cached segment starts no encoder.
  const { worker, ffmpegPid } = await workerWithPausedRun('w-crash-1', scratch, 'p-2');
  const [watchdog] = await watchdogOf(worker.child.pid!);
  assert.ok(watchdog !== undefined, 'the shared runner started a watchdog');
  process.kill(watchdog.pid, 'SIGKILL');
  worker.child.kill('SIGKILL');
  await worker.exited;
  assert.equal(isProcessAlive(ffmpegPid), true, 'with no watchdog the orphan survives its worker');
  const second = await startWorker('w-crash-2', scratch, 'crash');
  await waitFor(() => !isProcessAlive(ffmpegPid), 'the orphan killed by the next worker');
  assert.deepEqual(await readdir(scratch), []);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  await removeTempDir(scratch);
});
