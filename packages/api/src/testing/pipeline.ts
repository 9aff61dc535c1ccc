/**
 * The real pipeline for integration tests and benchmarks: this API listening on a port, `kiln
 * worker` processes, Redis and an S3 API server, with sources registered as videos.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createLogger, createRedisKeys, createS3Storage, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type RedisService, type S3Service, waitFor } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import { registerVideoFromSource } from '../videos/register.js';
import { createVideoRepository } from '../videos/repository.js';
import { createHttpWorkerClient } from '../workers/http-client.js';

const KILN = resolve(import.meta.dirname, '../../../cli/bin/kiln.js');
const SECRET = 'a pipeline secret that is long enough for HMAC';

export interface PipelineOptions {
  /** Video id → local source file, uploaded to `sources/{id}.mp4` (where the worker reads it). */
  readonly sources: Readonly<Record<string, string>>;
  readonly workers: readonly string[];
  readonly workerCapacity?: number;
}

export interface Pipeline {
  readonly app: FastifyInstance;
  readonly baseUrl: string;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  /** The `kiln worker` processes by id, for tests that stop or kill one. */
  readonly workers: ReadonlyMap<string, ChildProcess>;
  /** A one-time playback URL for `videoId` on `profile`. */
  playbackUrl(videoId: string, profile: string): Promise<string>;
  stop(): Promise<void>;
}

function workerEnv(services: { redis: RedisService; s3: S3Service }, id: string, dir: string, capacity: number): NodeJS.ProcessEnv {
  const { s3 } = services;
  return {
    ...process.env, KILN_REDIS_URL: services.redis.url, KILN_STORAGE: 's3', KILN_S3_ENDPOINT: s3.endpoint, KILN_S3_BUCKET: s3.bucket,
    KILN_S3_REGION: s3.region, KILN_S3_ACCESS_KEY_ID: s3.accessKeyId, KILN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    KILN_WORKER_ID: id, KILN_WORKER_CAPACITY: String(capacity), KILN_DATA_DIR: join(dir, id), KILN_LOG_LEVEL: 'error',
    KILN_LOAD_REPORT_INTERVAL: '300ms', KILN_LOAD_REPORT_TTL: '1s', KILN_SUPERVISED: '1',
  };
}

/** Re-exported for the tests and benches that import it from here. */
export { waitFor };

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function registerSources(storage: ObjectStorage, redis: Redis, keys: RedisKeys, sources: PipelineOptions['sources']): Promise<void> {
  for (const [videoId, file] of Object.entries(sources)) {
    const sourceKey = `sources/${videoId}.mp4`;
    await storage.put(sourceKey, await readFile(file));
    await registerVideoFromSource({ storage, videos: createVideoRepository(redis, keys), videoId, sourceKey });
  }
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const services = await startServices({ redis: true, s3: true });
  const { s3 } = services;
  const redis = new Redis(services.redis.url);
  const keys = createRedisKeys('kiln');
  const storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const dir = await makeTempDir('kiln-pipeline-');
  await registerSources(storage, redis, keys, options.sources);
  const children = options.workers.map((id) =>
    spawn(process.execPath, [KILN, 'worker'], { stdio: ['pipe', 'ignore', 'inherit'], env: workerEnv(services, id, dir, options.workerCapacity ?? 2) }));
  await waitFor('load reports', async () => (await redis.exists(...options.workers.map((id) => keys.workerLoad(id)))) === options.workers.length);
  const app = buildApiApp({
    log: createLogger({ name: 'api-pipeline', level: 'silent' }),
    checks: {},
    playback: {
      redis, keys, storage, tokenSecrets: [SECRET], workers: createHttpWorkerClient(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app, baseUrl, redis, keys, storage,
    workers: new Map(options.workers.map((id, i) => [id, children[i]] as const)),
    async playbackUrl(videoId, profile) {
      const host = new URL(baseUrl).host;
      const link = await app.inject({ method: 'POST', url: `/v1/videos/${videoId}/playback`, payload: { profile }, headers: { host } });
      return link.json<{ url: string }>().url;
    },
    async stop() {
      await app.close();
      await Promise.all(children.map((child) => stopChild(child)));
      redis.disconnect();
      await services.stop();
      await removeTempDir(dir);
    },
  };
}
