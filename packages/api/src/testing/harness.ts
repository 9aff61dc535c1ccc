/**
 * An API app on a private Redis and a temporary fs object storage, with a fake worker client, for
 * route tests through `app.inject()`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createFsStorage, createLogger, createRedisKeys, type ObjectStorage, type RedisKeys, type VideoRecord } from '@kiln/shared';
import { makeTempDir, removeTempDir, startRedis, type RedisService } from '@kiln/shared/testing';
import { buildApiApp, type ApiDependencies } from '../app.js';
import type { PlaybackSettings } from '../plugins/app/services.js';
import { createVideoRepository } from '../videos/repository.js';
import type { SegmentJob, WorkerClient } from '../workers/client.js';
import { WorkerUnavailableError } from '../workers/client.js';
import { createJobQueue, type JobQueue } from '../plugins/external/queues.js';
import { sampleVideo } from './sample-videos.js';

export const TEST_SECRET = 'a test secret that is long enough for HMAC-SHA256';
/** The admin API key every test app accepts, and the header that sends it. */
export const TEST_API_KEY = 'kiln_test-admin-key-0123456789abcdef';
export const AS_ADMIN: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_API_KEY}` };
/** A playback signing key every test app accepts, as an application's backend would hold it. */
export const TEST_SIGNING_KEY = { id: 'test-app', secret: 'a signing key secret long enough for HMAC-SHA256' } as const;

export interface FakeWorkers extends WorkerClient {
  readonly calls: { kind: 'ensure' | 'fetch'; url: string; job: SegmentJob }[];
  /** Worker URLs that answer as if gone. */
  readonly down: Set<string>;
}

export function fakeWorkers(): FakeWorkers {
  const calls: FakeWorkers['calls'] = [];
  const down = new Set<string>();
  const check = (url: string) => {
    if (down.has(url)) throw new WorkerUnavailableError(url, 'down in this test');
  };
  return {
    calls,
    down,
    ensureTranscode(url, job) {
      calls.push({ kind: 'ensure', url, job });
      check(url);
      return Promise.resolve();
    },
    fetchSegment(url, job) {
      calls.push({ kind: 'fetch', url, job });
      check(url);
      const bytes = Buffer.from(`segment ${job.renditionId}/${job.segment} from ${url}`);
      return Promise.resolve({ body: Readable.from([bytes]), contentLength: bytes.length });
    },
  };
}

export interface Harness {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  readonly workers: FakeWorkers;
  /** The clock the app reads; tests move it. */
  readonly clock: { now: number };
  /** An app on this Redis and storage; `extra` adds rate limits (none by default, so no suite trips them), uploads, timeouts. */
  build(settings?: Partial<PlaybackSettings>, extra?: Pick<ApiDependencies, 'limits' | 'uploads' | 'timeouts'>): FastifyInstance;
  saveVideo(record: VideoRecord): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const log = createLogger({ name: 'api-test', level: 'silent' });

export async function startHarness(): Promise<Harness> {
  const service: RedisService = await startRedis();
  const redis = new Redis(service.url);
  const dir = await makeTempDir('kiln-api-');
  const storage = createFsStorage({ root: dir });
  const keys = createRedisKeys('kiln');
  const workers = fakeWorkers();
  const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
  const apps: FastifyInstance[] = [];
  return {
    redis, keys, storage, workers, clock,
    build(settings = {}, extra = {}) {
      const app = buildApiApp({
        ...extra,
        log,
        checks: {},
        access: { apiKeys: [TEST_API_KEY] },
        playback: {
          redis, keys, storage, workers,
          tokenSecrets: [TEST_SECRET],
          playbackSigningKeys: [TEST_SIGNING_KEY],
          now: () => new Date(clock.now),
          settings: { playbackLinkLifetimeMs: 600_000, sessionLifetimeMs: 6 * 3_600_000, slotReservationTtlMs: 3_000, publicUrl: 'https://kiln.test', ...settings },
        },
      });
      apps.push(app);
      return app;
    },
    saveVideo: (record) => createVideoRepository(redis, keys).save(record),
    async reset() {
      await redis.flushall();
      workers.calls.length = 0;
      workers.down.clear();
    },
    async stop() {
      await Promise.all(apps.map((app) => app.close()));
      redis.disconnect();
      await service.stop();
      await removeTempDir(dir);
    },
  };
}

/** A harness with an upload queue, for apps that take uploads; `reset` leaves one video, `v1`. */
export interface UploadHarness {
  readonly h: Harness;
  readonly queue: JobQueue;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startUploadHarness(): Promise<UploadHarness> {
  const h = await startHarness();
  const queue = createJobQueue(h.redis, h.keys);
  return {
    h,
    queue,
    async reset() {
      await h.reset();
      await h.saveVideo(sampleVideo({ id: 'v1' }));
    },
    async stop() {
      await queue.close();
      await h.stop();
    },
  };
}
