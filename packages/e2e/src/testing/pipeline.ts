/**
 * The real pipeline for integration tests and benchmarks: this API listening on a port, `kiln
 * worker` processes, Redis and an S3 API server, with sources registered as videos.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createRedisKeys, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, waitFor } from '@kiln/shared/testing';
import { AS_ADMIN, listenTestApi, registerSources, type TestApi } from '@kiln/api/testing';
import { spawnWorker, stopProcess, storageOf } from './kiln-processes.js';

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

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const services = await startServices({ redis: true, s3: true });
  const redis = new Redis(services.redis.url);
  const keys = createRedisKeys('kiln');
  const storage = storageOf(services);
  const dir = await makeTempDir('kiln-pipeline-');
  const children: ChildProcess[] = [];
  let api: TestApi | undefined;
  const stop = async () => {
    await api?.close();
    await Promise.all(children.map((child) => stopProcess(child)));
    redis.disconnect();
    await services.stop();
    await removeTempDir(dir);
  };
  try {
    await registerSources(storage, redis, keys, options.sources);
    children.push(...options.workers.map((id) => spawnWorker(services, { id, dataDir: join(dir, id), capacity: options.workerCapacity ?? 2 })));
    await waitFor('load reports', async () => (await redis.exists(...options.workers.map((id) => keys.workerLoad(id)))) === options.workers.length);
    api = await listenTestApi({ redis, keys, storage });
  } catch (error) {
    // Servers and workers left running would keep the test process (and the run) from ending.
    await stop();
    throw error;
  }
  const { app, base: baseUrl } = api;
  return {
    app, baseUrl, redis, keys, storage, stop,
    workers: new Map(options.workers.map((id, i) => [id, children[i]] as const)),
    async playbackUrl(videoId, profile) {
      const host = new URL(baseUrl).host;
      const link = await app.inject({ method: 'POST', url: `/v1/videos/${videoId}/playback`, payload: { profile }, headers: { ...AS_ADMIN, host } });
      return link.json<{ url: string }>().url;
    },
  };
}
