import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, createLogger, createRedisKeys } from '@kiln/shared';
import { startRedis, type RedisService } from '@kiln/shared/testing';
import { buildWorkerApp } from './http/app.js';
import { startLoadReports, type LoadSnapshot } from './load/report.js';

const log = createLogger({ name: 'worker', level: 'silent' });
let redisService: RedisService;

before(async () => {
  redisService = await startRedis();
});
after(async () => {
  await redisService.stop();
});

test('/health is 200 with free capacity, 503 when full or draining', async () => {
  let load: LoadSnapshot = { active: 0, capacity: 2, draining: false, speed: 0 };
  const app = buildWorkerApp({ log, worker: { id: 'w1', role: 'ondemand' }, snapshot: () => load });
  const ok = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { status: 'ok', id: 'w1', role: 'ondemand', active: 0, capacity: 2 });
  load = { ...load, active: 2 };
  const full = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(full.statusCode, 503);
  assert.equal(full.json<{ status: string }>().status, 'full');
  load = { ...load, active: 0, draining: true };
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 503);
  await app.close();
});

test('load reports reach Redis with a TTL and disappear on stop', async () => {
  const redis = connectRedis(redisService.url);
  const keys = createRedisKeys('kiln');
  let active = 1;
  const reports = startLoadReports({
    redis, keys, log, intervalMs: 50, ttlMs: 2_000,
    worker: { id: 'w-7', url: 'http://127.0.0.1:1234', role: 'ondemand' },
    snapshot: () => ({ active, capacity: 4, draining: false, speed: 1.5 }),
  });
  try {
    await reports.reportNow();
    const report = await redis.hgetall(keys.workerLoad('w-7'));
    assert.equal(report.active, '1');
    assert.equal(report.capacity, '4');
    assert.equal(report.url, 'http://127.0.0.1:1234');
    assert.equal(report.speed, '1.500');
    const ttl = await redis.pttl(keys.workerLoad('w-7'));
    assert.ok(ttl > 0 && ttl <= 2_000, `ttl ${ttl}`);
    assert.deepEqual(await redis.zrange(keys.workers(), '0', '-1'), ['w-7']);
    active = 3;
    await reports.reportNow();
    assert.equal(await redis.hget(keys.workerLoad('w-7'), 'active'), '3');
  } finally {
    await reports.stop();
  }
  assert.equal(await redis.exists(keys.workerLoad('w-7')), 0);
  assert.deepEqual(await redis.zrange(keys.workers(), '0', '-1'), []);
  redis.disconnect();
});
