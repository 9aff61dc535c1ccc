import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import {
  createLogger, createRedisKeys, createS3Storage, createVideoStore, rational, segmentAccessMember,
  type ObjectStorage, type RedisKeys,
} from '@kiln/shared';
import { startServices, type Services } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import { AS_ADMIN, TEST_API_KEY, TEST_SECRET, fakeWorkers } from '../testing/harness.js';

let services: Services<{ redis: true; s3: true }>;
let redis: Redis;
let storage: ObjectStorage;
let keys: RedisKeys;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  redis = new Redis(services.redis.url);
  const { s3 } = services;
  storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  keys = createRedisKeys('kiln');
});
after(async () => {
  redis.disconnect();
  await services.stop();
});
beforeEach(async () => {
  await redis.flushall();
  await storage.deleteMany(await objectKeys());
});

function build(store: ObjectStorage = storage): FastifyInstance {
  return buildApiApp({
    log: createLogger({ name: 'delete-test', level: 'silent' }),
    checks: {},
    access: { apiKeys: [TEST_API_KEY] },
    playback: {
      redis, keys, storage: store, tokenSecrets: [TEST_SECRET], workers: fakeWorkers(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
  });
}

async function objectKeys(): Promise<string[]> {
  const found: string[] = [];
  for await (const object of storage.list('')) found.push(object.key);
  return found.sort();
}

/** A video as ingest and playback leave it: record, facts, upload, source, segments and their index. */
async function seedVideo(id: string, segments: number): Promise<void> {
  await createVideoStore(redis, keys).save({ id, state: 'ready', sourceKey: `sources/${id}.mp4`, size: 3, duration: rational(10), hasAudio: true, createdAt: 1 });
  await redis.set(keys.sourceFacts(id), '{}');
  await storage.put(`uploads/${id}`, 'up');
  await storage.put(`sources/${id}.mp4`, 'src');
  for (const rendition of ['mobile-360p', 'audio-aac']) {
    for (let n = 0; n < segments; n += 1) {
      await storage.put(`segments/${id}/${rendition}/${n}.ts`, 'ts');
      await redis.hset(keys.segmentIndex(id, rendition), String(n), JSON.stringify({ bytes: 2, created: 1, accessed: 1 }));
      await redis.zadd(keys.segmentsByAccess(), 1, segmentAccessMember(id, rendition, n));
    }
  }
}

async function redisKeysOf(id: string): Promise<string[]> {
  const all = await redis.keys('*');
  return all.filter((key) => key.split(':').includes(id)).sort();
}

const accessMembersOf = async (id: string) => (await redis.zrange(keys.segmentsByAccess(), '0', '-1')).filter((member) => member.startsWith(`${id}/`));

test('DELETE removes every object and key of the video and nothing of another', async () => {
  await seedVideo('doomed', 3);
  await seedVideo('doomed2', 2);
  const before = { objects: await objectKeys(), keys: await redisKeysOf('doomed2'), members: await accessMembersOf('doomed2') };
  const response = await build().inject({ method: 'DELETE', url: '/v1/videos/doomed', headers: AS_ADMIN });
  assert.equal(response.statusCode, 204);
  assert.equal(response.body, '');
  assert.deepEqual(await objectKeys(), before.objects.filter((key) => key.includes('doomed2')));
  assert.deepEqual(await redisKeysOf('doomed'), []);
  assert.deepEqual(await accessMembersOf('doomed'), []);
  assert.deepEqual(await redisKeysOf('doomed2'), before.keys);
  assert.equal(before.keys.length, 4, 'record, facts and two index hashes');
  assert.deepEqual(await accessMembersOf('doomed2'), before.members);
  assert.equal((await build().inject({ method: 'GET', url: '/v1/videos/doomed', headers: AS_ADMIN })).statusCode, 404);
});

test('DELETE of an unknown id answers 404 VIDEO_NOT_FOUND', async () => {
  const response = await build().inject({ method: 'DELETE', url: '/v1/videos/nobody', headers: AS_ADMIN });
  assert.equal(response.statusCode, 404);
  assert.equal(response.json<{ code: string }>().code, 'VIDEO_NOT_FOUND');
});

test('a DELETE that fails halfway is finished by the next one', async () => {
  await seedVideo('v', 2);
  let failures = 1;
  const flaky: ObjectStorage = {
    put: (key, body, options) => storage.put(key, body, options),
    getRange: (key, range) => storage.getRange(key, range),
    getBytes: (key, range) => storage.getBytes(key, range),
    head: (key) => storage.head(key),
    list: (prefix) => storage.list(prefix),
    copy: (from, to) => storage.copy(from, to),
    deleteMany(keysToDelete) {
      if (keysToDelete.some((key) => key.startsWith('segments/')) && failures-- > 0) return Promise.reject(new Error('storage hiccup'));
      return storage.deleteMany(keysToDelete);
    },
  };
  assert.equal((await build(flaky).inject({ method: 'DELETE', url: '/v1/videos/v', headers: AS_ADMIN })).statusCode, 500);
  assert.ok((await objectKeys()).length > 0, 'the first attempt left segments behind');
  assert.equal((await build(flaky).inject({ method: 'DELETE', url: '/v1/videos/v', headers: AS_ADMIN })).statusCode, 204);
  assert.deepEqual(await objectKeys(), []);
  assert.deepEqual(await redisKeysOf('v'), []);
});
