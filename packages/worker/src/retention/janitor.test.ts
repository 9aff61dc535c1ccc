import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  QUEUE_NAMES, RETENTION_SCHEDULER_ID, createLogger, listKeys, createRedisKeys, createS3Storage, createVideoStore, rational,
  type ObjectStorage, type RedisKeys,
} from '@kiln/shared';
import { startServices, type Services } from '@kiln/shared/testing';
import { segmentObjectKey } from '@kiln/shared';
import { SegmentCache } from '../segments/cache.js';
import { parseAccessMember, runRetention, type JanitorDependencies } from './janitor.js';
import { scheduleRetention } from './repeat.js';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2031-06-01T00:00:00Z');
const SEGMENT = Buffer.alloc(1000, 0x47);

let services: Services<{ redis: true; s3: true }>;
let redis: Redis;
let storage: ObjectStorage;
let keys: RedisKeys;
let cache: SegmentCache;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  redis = new Redis(services.redis.url, { maxRetriesPerRequest: null });
  const { s3 } = services;
  storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  keys = createRedisKeys('kiln');
  cache = new SegmentCache(storage, redis, keys);
});
after(async () => {
  redis.disconnect();
  await services.stop();
});
beforeEach(async () => {
  await redis.flushall();
  await storage.deleteMany(await listKeys(storage, ''));
});

const deps = (overrides: Partial<JanitorDependencies> = {}): JanitorDependencies => ({
  storage, redis, keys, log: createLogger({ name: 'retention-test', level: 'silent' }), maxAgeMs: 30 * DAY, maxBytes: 1_000_000, batchSize: 2, ...overrides,
});

async function saveVideo(id: string): Promise<void> {
  await createVideoStore(redis, keys).save({ id, state: 'ready', sourceKey: `sources/${id}.mp4`, size: 1, duration: rational(10), hasAudio: false, createdAt: NOW - 400 * DAY });
}

/** Stores segment n of `{video}/r` last accessed `daysAgo` before NOW. */
const seed = (video: string, n: number, daysAgo: number, pinned = false) => cache.store(video, 'r', n, SEGMENT, NOW - daysAgo * DAY, { pinned });

async function objectKeys(): Promise<string[]> {
  const found: string[] = [];
  for await (const object of storage.list('segments/')) found.push(object.key);
  return found.sort();
}

const indexed = async () => (await redis.zrange(keys.segmentsByAccess(), '0', '-1')).sort();

test('a pass deletes expired and over-budget segments, objects and index, and keeps pinned openings of live videos', async () => {
  await saveVideo('live');
  await Promise.all([seed('live', 0, 400, true), seed('live', 1, 400, true), seed('live', 2, 31), seed('live', 3, 5), seed('live', 4, 3), seed('live', 5, 1)]);
  await seed('gone', 0, 400, true);
  // 5 segments survive expiry (2 pinned); a budget of 3 evicts the 2 least recently used unpinned ones (3 and 4).
  const report = await runRetention(deps({ maxBytes: 3 * SEGMENT.length }), NOW);
  assert.deepEqual(report, { indexed: 7, expired: 2, overBudget: 2, changed: 0, stale: 0 });
  assert.deepEqual(await indexed(), ['live/r/0', 'live/r/1', 'live/r/5']);
  assert.deepEqual([...(await cache.cachedIndexes('live', 'r'))].sort(), [0, 1, 5]);
  assert.equal(await redis.exists(keys.segmentIndex('gone', 'r')), 0);
  assert.deepEqual(await objectKeys(), [0, 1, 5].map((n) => segmentObjectKey('live', 'r', n)).sort());
  assert.equal(await redis.scard(keys.retentionPending()), 0);
});

test('a second pass at the same time finds nothing more to do', async () => {
  await Promise.all([seed('v', 0, 40), seed('v', 1, 1)]);
  await runRetention(deps(), NOW);
  assert.deepEqual(await runRetention(deps(), NOW), { indexed: 1, expired: 0, overBudget: 0, changed: 0, stale: 0 });
  assert.deepEqual(await objectKeys(), [segmentObjectKey('v', 'r', 1)]);
});

test('objects a crashed pass left pending are deleted; access entries without an index entry are dropped', async () => {
  await seed('v', 0, 1);
  await storage.put(segmentObjectKey('v', 'r', 9), SEGMENT);
  await redis.sadd(keys.retentionPending(), segmentObjectKey('v', 'r', 9));
  await redis.zadd(keys.segmentsByAccess(), NOW, 'v/r/7', NOW, 'not a member');
  const report = await runRetention(deps(), NOW);
  assert.equal(report.stale, 2);
  assert.deepEqual(await indexed(), ['v/r/0']);
  assert.deepEqual(await objectKeys(), [segmentObjectKey('v', 'r', 0)]);
  assert.equal(await redis.scard(keys.retentionPending()), 0);
});

test('access members parse back to their segment; anything else is refused', () => {
  assert.deepEqual(parseAccessMember('v1/mobile-720p/12'), { videoId: 'v1', renditionId: 'mobile-720p', index: 12 });
  for (const bad of ['v1/r', 'v1/r/1/2', 'v1/r/x', 'v1/r/-1', 'v:1/r/1', '']) assert.equal(parseAccessMember(bad), undefined, bad);
});

test('workers scheduling retention share one job scheduler', async () => {
  const connection = new Redis(services.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAMES.pretranscode, { connection, prefix: keys.bullPrefix });
  try {
    await Promise.all([scheduleRetention(connection, keys.bullPrefix, 3_600_000), scheduleRetention(connection, keys.bullPrefix, 3_600_000)]);
    const schedulers = await queue.getJobSchedulers();
    assert.deepEqual(schedulers.map((scheduler) => [scheduler.key, scheduler.every]), [[RETENTION_SCHEDULER_ID, 3_600_000]]);
    const waiting = await queue.getJobs(['delayed', 'waiting']);
    assert.deepEqual(waiting.map((job) => job.data as unknown), [{ type: 'retention' }]);
  } finally {
    await queue.close();
    connection.disconnect();
  }
});
