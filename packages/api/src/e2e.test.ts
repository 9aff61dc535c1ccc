/**
 * End to end: this API, two `kiln worker` processes, Redis, an S3 API server, and ffmpeg as the
 * player reading every variant of the master. One worker is stopped mid-way; reading must finish.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createLogger, createRedisKeys, createS3Storage, ffmpegBinary, runFfmpeg, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type RedisService, type S3Service } from '@kiln/shared/testing';
import { buildApiApp } from './app.js';
import { createVideoRepository } from './videos/repository.js';
import { registerVideoFromSource } from './videos/register.js';
import { createHttpWorkerClient } from './workers/http-client.js';

const KILN = resolve(import.meta.dirname, '../../cli/bin/kiln.js');
const SECRET = 'an end-to-end secret that is long enough for HMAC';
const keys = createRedisKeys('kiln');
let services: { redis: RedisService; s3: S3Service; stop(): Promise<void> };
let redis: Redis;
let storage: ObjectStorage;
let dir: string;
let app: FastifyInstance;
const workers = new Map<string, ChildProcess>();

function startWorker(id: string): ChildProcess {
  const { s3 } = services;
  const child = spawn(process.execPath, [KILN, 'worker'], {
    stdio: ['pipe', 'ignore', 'inherit'],
    env: {
      ...process.env, KILN_REDIS_URL: services.redis.url, KILN_STORAGE: 's3', KILN_S3_ENDPOINT: s3.endpoint, KILN_S3_BUCKET: s3.bucket,
      KILN_S3_REGION: s3.region, KILN_S3_ACCESS_KEY_ID: s3.accessKeyId, KILN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      KILN_WORKER_ID: id, KILN_WORKER_CAPACITY: '2', KILN_DATA_DIR: join(dir, id), KILN_LOG_LEVEL: 'error',
      KILN_LOAD_REPORT_INTERVAL: '300ms', KILN_LOAD_REPORT_TTL: '1s', KILN_SUPERVISED: '1',
    },
  });
  workers.set(id, child);
  return child;
}

async function waitFor(what: string, check: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  services = await startServices({ redis: true, s3: true });
  redis = new Redis(services.redis.url);
  const { s3 } = services;
  storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  dir = await makeTempDir('kiln-api-e2e-');
  const source = join(dir, 'source.mp4');
  await runFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=12', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', source,
  ]);
  // The worker reads `sources/{video}.mp4` (packages/worker/src/transcode/source.ts).
  await storage.put('sources/e2e.mp4', await readFile(source));
  await registerVideoFromSource({ storage, videos: createVideoRepository(redis, keys), videoId: 'e2e', sourceKey: 'sources/e2e.mp4' });
  startWorker('w1');
  startWorker('w2');
  await waitFor('two load reports', async () => (await redis.exists(keys.workerLoad('w1'), keys.workerLoad('w2'))) === 2);
  app = buildApiApp({
    log: createLogger({ name: 'api-e2e', level: 'silent' }),
    checks: {},
    playback: {
      redis, keys, storage, tokenSecrets: [SECRET], workers: createHttpWorkerClient(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app.close();
  await Promise.all([...workers.values()].map((child) => stopChild(child)));
  redis.disconnect();
  await services.stop();
  await removeTempDir(dir);
});

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** SIGKILL: a crash, with no chance to clean up; its encoders must die all the same. */
async function killChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** ffmpeg processes started by `workerPid` (each leads its own process group, so look at parents). */
async function encodersOf(workerPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const stat = /^\d+$/.test(entry) ? await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '') : '';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (stat.includes('(ffmpeg)') && Number(fields[1]) === workerPid) pids.push(Number(entry));
  }
  return pids;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

/** ffmpeg as a player, reading at the media's own pace (-re) as a person watching would. */
function play(url: string): Promise<{ code: number | null; stderr: string }> {
  const player = spawn(ffmpegBinary(), ['-v', 'error', '-re', '-i', url, '-map', '0', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  player.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) => player.once('close', (code) => done({ code, stderr })));
}

test('ffmpeg reads every variant to the end, although the session\'s worker is killed mid-way', async () => {
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  const link = await app.inject({ method: 'POST', url: '/v1/videos/e2e/playback', payload: { profile: 'legacy' }, headers: { host: `127.0.0.1:${address.port}` } });
  const { url } = link.json<{ url: string }>();
  const reading = play(url);
  // Once a few segments are cached, stop the worker the session is on.
  await waitFor('segments cached', async () => (await redis.zcard(keys.segmentsByAccess())) >= 2);
  const sessions = await redis.keys('kiln:session:*:worker');
  const chosen = sessions[0] === undefined ? undefined : await redis.get(sessions[0]);
  assert.ok(chosen === 'w1' || chosen === 'w2', `session worker ${chosen}`);
  const finishedEarly = await Promise.race([reading.then(() => true), sleep(0).then(() => false)]);
  assert.equal(finishedEarly, false, 'the worker is stopped while the player is still reading');
  const victim = workers.get(chosen) ?? assert.fail('no such worker');
  const victimEncoders = await encodersOf(victim.pid!);
  await killChild(victim);
  // The stopped worker may have run ahead to the end: forget the cache so what is left comes from the other one.
  await redis.del(keys.segmentIndex('e2e', 'legacy-180p'));
  const result = await reading;
  assert.deepEqual(result, { code: 0, stderr: '' });
  for (const pid of victimEncoders) assert.equal(isRunning(pid), false, `ffmpeg ${pid} outlived its worker`);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const lines = metrics.split('\n').filter((line) => /^kiln_api_(segment_cache|scheduling_decisions)_total/.test(line));
  process.stdout.write(`# ${lines.join('\n# ')}\n`);
  assert.match(metrics, /kiln_api_scheduling_decisions_total\{decision="switched"\} [1-9]/, 'what was left came from the other worker');
});
