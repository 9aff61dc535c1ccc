/**
 * The whole API (playback, uploads, keys of every scope) on a private Redis and an fs object
 * storage, for the route-level security suite. The storage is rooted in `<temp>/storage` with a
 * canary file beside it, so a response that reads outside the root shows the canary's bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createFsStorage, createLogger, createRedisKeys, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { makeTempDir, removeTempDir, startRedis, type RedisService } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import { createApiKeyStore } from '../auth/key-store.js';
import type { Scope } from '../auth/scopes.js';
import { createJobQueue } from '../plugins/external/queues.js';
import { createVideoRepository } from '../videos/repository.js';
import { fakeWorkers, TEST_API_KEY, TEST_SECRET, TEST_SIGNING_KEY } from './harness.js';
import { recordRoutes, type RouteInfo } from './routes.js';
import { sampleVideo } from './sample-videos.js';

/** Small, so an upload past the limit is cheap to try. */
export const SECURITY_MAX_UPLOAD_BYTES = 64 * 1024;
/** Ready videos every test finds after `reset`. */
export const SECURITY_VIDEOS = ['v1', 'v2'] as const;

/** Everything the API could have written: Redis keys with their serialized values, files under the temp dir. */
export interface StoredState {
  readonly redis: Readonly<Record<string, string>>;
  /** Keys with a TTL: they may vanish on their own between two snapshots. */
  readonly expiring: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

/** What changed from `before` to `after` that a request must have done: added or changed, or removed though it had no TTL. */
export function storedSince(before: StoredState, after: StoredState): string[] {
  const changed = (was: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>, mayVanish: (name: string) => boolean) => [
    ...Object.keys(now).filter((name) => was[name] !== now[name]),
    ...Object.keys(was).filter((name) => now[name] === undefined && !mayVanish(name)),
  ];
  return [
    ...changed(before.redis, after.redis, (name) => before.expiring.includes(name)).map((name) => `redis ${name}`),
    ...changed(before.files, after.files, () => false).map((name) => `file ${name}`),
  ];
}

export interface SecurityHarness {
  readonly app: FastifyInstance;
  /** Every route the app registered in its plugins (all of `/v1` and `/play`). */
  readonly routes: readonly RouteInfo[];
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  readonly clock: { now: number };
  /** Random bytes in a file beside the storage root: no response may ever contain them. */
  readonly canary: Buffer;
  /** `Authorization` headers of a key of each scope (admin is KILN_API_KEYS'; the others from the key store). */
  readonly as: Readonly<Record<Scope, Readonly<Record<string, string>>>>;
  snapshot(): Promise<StoredState>;
  /** Empties Redis and the storage, then makes the keys and the ready videos again. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const START_TIME = Date.parse('2030-01-01T00:00:00Z');

export async function startSecurityHarness(): Promise<SecurityHarness> {
  const service: RedisService = await startRedis();
  const redis = new Redis(service.url, { maxRetriesPerRequest: null });
  const dir = await makeTempDir('kiln-security-');
  const root = path.join(dir, 'storage');
  const canary = randomBytes(24);
  await writeFile(path.join(dir, 'canary'), canary);
  const keys = createRedisKeys('kiln');
  const storage = createFsStorage({ root });
  const clock = { now: START_TIME };
  const queue = createJobQueue(redis, keys);
  const app = buildApiApp({
    log: createLogger({ name: 'security-test', level: 'silent' }),
    checks: { redis: async () => (await redis.ping()) === 'PONG' },
    access: { apiKeys: [TEST_API_KEY] },
    playback: {
      redis, keys, storage, workers: fakeWorkers(), tokenSecrets: [TEST_SECRET], playbackSigningKeys: [TEST_SIGNING_KEY],
      now: () => new Date(clock.now),
      settings: { playbackLinkLifetimeMs: 600_000, sessionLifetimeMs: 6 * 3_600_000, slotReservationTtlMs: 3_000, publicUrl: 'https://kiln.test' },
    },
    uploads: { queue, maxBytes: SECURITY_MAX_UPLOAD_BYTES },
  });
  const routes = recordRoutes(app);
  await app.ready();
  const as = { admin: bearer(TEST_API_KEY), upload: {}, playback: {} };
  const reset = async () => {
    await redis.flushall();
    await rm(root, { recursive: true, force: true });
    await mkdir(root);
    const store = createApiKeyStore({ redis, keys });
    as.upload = bearer((await store.create('security upload', 'upload')).key);
    as.playback = bearer((await store.create('security playback', 'playback')).key);
    const videos = createVideoRepository(redis, keys);
    for (const id of SECURITY_VIDEOS) await videos.save(sampleVideo({ id, sourceKey: `sources/${id}.mp4` }));
    clock.now = START_TIME;
  };
  await reset();
  return {
    app, routes: routes(), redis, keys, storage, clock, canary, as,
    snapshot: async () => ({ ...(await redisState(redis)), files: await fileState(dir) }),
    reset,
    async stop() {
      await app.close();
      await queue.close();
      redis.disconnect();
      await service.stop();
      await removeTempDir(dir);
    },
  };
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

async function redisState(redis: Redis): Promise<Pick<StoredState, 'redis' | 'expiring'>> {
  const listed = (await redis.keys('*')).sort();
  const dumps = await Promise.all(listed.map((name) => redis.dumpBuffer(name)));
  const ttls = await Promise.all(listed.map((name) => redis.pttl(name)));
  // A key that expired between KEYS and DUMP is gone, not changed.
  const present = listed.map((name, index) => ({ name, dump: dumps[index], ttl: ttls[index] ?? -1 })).filter((key) => key.dump !== null && key.dump !== undefined);
  return {
    redis: Object.fromEntries(present.map((key) => [key.name, key.dump?.toString('hex') ?? ''])),
    // -1: no TTL; anything else had one (-2: it expired since DUMP).
    expiring: present.filter((key) => key.ttl !== -1).map((key) => key.name),
  };
}

/** Every file under `dir` (the storage root and the canary beside it) by its SHA-256. */
async function fileState(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)).sort();
  const digests = await Promise.all(files.map(async (file) => createHash('sha256').update(await readFile(file)).digest('hex')));
  return Object.fromEntries(files.map((file, index) => [path.relative(dir, file), digests[index] ?? '']));
}
