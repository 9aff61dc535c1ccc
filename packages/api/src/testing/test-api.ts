/**
 * This API for tests that run real `kiln worker` processes (`@kiln/e2e`): listening on a free
 * loopback port with test settings and the HTTP worker client, and sources registered as videos.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createLogger, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { buildApiApp } from '../app.js';
import { createJobQueue } from '../plugins/external/queues.js';
import { registerVideoFromSource } from '../videos/register.js';
import { createVideoRepository } from '../videos/repository.js';
import { createHttpWorkerClient } from '../workers/http-client.js';
import { TEST_API_KEY, TEST_SECRET } from './harness.js';

export interface TestApiOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  /** Uploads on, enqueuing over `connection` (the caller's: it disconnects it). */
  readonly uploads?: { readonly connection: Redis; readonly maxBytes: number };
}

export interface TestApi {
  readonly app: FastifyInstance;
  /** http://127.0.0.1:port */
  readonly base: string;
  /** Closes the app and its upload queue. */
  close(): Promise<void>;
}

/** This API on a free loopback port; it logs errors only, so a server error in a test says why. */
export async function listenTestApi(options: TestApiOptions): Promise<TestApi> {
  const { redis, keys, storage, uploads } = options;
  const upload = uploads === undefined ? undefined : { queue: createJobQueue(uploads.connection, keys), maxBytes: uploads.maxBytes };
  const app = buildApiApp({
    log: createLogger({ name: 'api-test', level: 'error' }),
    checks: {},
    access: { apiKeys: [TEST_API_KEY] },
    playback: {
      redis, keys, storage, tokenSecrets: [TEST_SECRET], workers: createHttpWorkerClient(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
    ...(upload === undefined ? {} : { uploads: upload }),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app, base,
    async close() {
      await app.close();
      await upload?.queue.close();
    },
  };
}

/** Video id → local source file: stored as `sources/{id}.mp4` (where workers read it) and registered without ingest. */
export async function registerSources(storage: ObjectStorage, redis: Redis, keys: RedisKeys, sources: Readonly<Record<string, string>>): Promise<void> {
  for (const [videoId, file] of Object.entries(sources)) {
    const sourceKey = `sources/${videoId}.mp4`;
    await storage.put(sourceKey, await readFile(file));
    await registerVideoFromSource({ storage, videos: createVideoRepository(redis, keys), videoId, sourceKey });
  }
}
