import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createRedisKeys } from '@kiln/shared';
import { startRedis, type RedisService } from '@kiln/shared/testing';
import { createScheduler, type SchedulingDecision } from './scheduler.js';
import { reportLoad } from '../testing/load-reports.js';

const keys = createRedisKeys('kiln');
let service: RedisService;
let redis: Redis;
const decisions: SchedulingDecision[] = [];
const session = { sessionTtlMs: 60_000 };

before(async () => {
  service = await startRedis();
  redis = new Redis(service.url);
});
after(async () => {
  redis.disconnect();
  await service.stop();
});
beforeEach(async () => {
  await redis.flushall();
  decisions.length = 0;
});

const scheduler = () => createScheduler({ redis, keys, reservationTtlMs: 10_000, onDecision: (d) => decisions.push(d) });

test('50 concurrent picks against 5 workers with one free slot each take exactly 5 slots, one per worker', async () => {
  for (let i = 0; i < 5; i += 1) await reportLoad(redis, keys, { id: `w${i}`, active: 3, capacity: 4 });
  const picks = await Promise.all(Array.from({ length: 50 }, (_, i) => scheduler().pick(`s${i}`, session)));
  const chosen = picks.filter((pick) => pick !== undefined).map((pick) => pick.workerId);
  assert.deepEqual([...chosen].sort(), ['w0', 'w1', 'w2', 'w3', 'w4']);
  assert.equal(decisions.filter((d) => d === 'none').length, 45);
  for (let i = 0; i < 5; i += 1) assert.equal(await redis.zcard(keys.workerReservations(`w${i}`)), 1);
});

test('the least-loaded worker is picked, by share of capacity', async () => {
  await reportLoad(redis, keys, { id: 'busy', active: 3, capacity: 8 });
  await reportLoad(redis, keys, { id: 'idle-small', active: 1, capacity: 2 });
  await reportLoad(redis, keys, { id: 'idle', active: 1, capacity: 8, url: 'http://127.0.0.1:9' });
  const pick = await scheduler().pick('s', session);
  assert.deepEqual(pick && { id: pick.workerId, url: pick.url, decision: pick.decision }, { id: 'idle', url: 'http://127.0.0.1:9', decision: 'assigned' });
});

test('workers whose report expired, draining workers and pre-transcode workers are never picked', async () => {
  await reportLoad(redis, keys, { id: 'expiring', active: 0, capacity: 8, ttlMs: 50 });
  await reportLoad(redis, keys, { id: 'draining', active: 0, capacity: 8, draining: true });
  await reportLoad(redis, keys, { id: 'pre', active: 0, capacity: 8, role: 'pretranscode' });
  await reportLoad(redis, keys, { id: 'full', active: 2, capacity: 2 });
  await sleep(120);
  assert.equal(await redis.zscore(keys.workers(), 'expiring') !== null, true, 'still registered, only its report is gone');
  for (let i = 0; i < 10; i += 1) assert.equal(await scheduler().pick(`s${i}`, session), undefined);
  await reportLoad(redis, keys, { id: 'alive', active: 7, capacity: 8 });
  assert.equal((await scheduler().pick('s', session))?.workerId, 'alive');
});

test('a session stays on its worker while it is healthy, even when another is idler, and moves when it drains', async () => {
  await reportLoad(redis, keys, { id: 'a', active: 0, capacity: 2 });
  const first = await scheduler().pick('s', session);
  assert.equal(first?.workerId, 'a');
  await reportLoad(redis, keys, { id: 'a', active: 2, capacity: 2 });
  await reportLoad(redis, keys, { id: 'b', active: 0, capacity: 2 });
  for (let i = 0; i < 5; i += 1) {
    const again = await scheduler().pick('s', session);
    assert.deepEqual(again && [again.workerId, again.decision, again.reservation], ['a', 'sticky', undefined]);
  }
  await reportLoad(redis, keys, { id: 'a', active: 2, capacity: 2, draining: true });
  const moved = await scheduler().pick('s', session);
  assert.deepEqual(moved && [moved.workerId, moved.decision], ['b', 'switched']);
  assert.equal(await redis.get(keys.sessionWorker('s')), 'b');
});

test('a session leaves an overloaded worker, and a worker that just failed it is excluded', async () => {
  await reportLoad(redis, keys, { id: 'a', active: 0, capacity: 2 });
  await scheduler().pick('s', session);
  await reportLoad(redis, keys, { id: 'a', active: 3, capacity: 2 });
  await reportLoad(redis, keys, { id: 'b', active: 1, capacity: 2 });
  assert.equal((await scheduler().pick('s', session))?.workerId, 'b');
  await reportLoad(redis, keys, { id: 'a', active: 0, capacity: 2 });
  assert.equal((await scheduler().pick('s', { ...session, exclude: 'b' }))?.workerId, 'a');
});

test('a released reservation frees the slot at once; an unreleased one holds it until it expires', async () => {
  await reportLoad(redis, keys, { id: 'a', active: 0, capacity: 1 });
  const s = scheduler();
  const first = await s.pick('s1', session);
  assert.ok(first?.reservation);
  assert.equal(await s.pick('s2', session), undefined);
  await s.release(first);
  assert.equal((await s.pick('s2', session))?.workerId, 'a');
  const short = createScheduler({ redis, keys, reservationTtlMs: 50 });
  await redis.flushall();
  await reportLoad(redis, keys, { id: 'a', active: 0, capacity: 1 });
  assert.ok(await short.pick('s3', session));
  assert.equal(await short.pick('s4', session), undefined);
  await sleep(100);
  assert.equal((await short.pick('s4', session))?.workerId, 'a');
});
