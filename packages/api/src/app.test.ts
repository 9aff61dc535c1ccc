import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, SharedErrors } from '@kiln/shared';
import { buildApiApp } from './app.js';

const log = createLogger({ name: 'api', level: 'silent' });

test('/health is 200 when every dependency answers and 503 naming the one that does not', async () => {
  let redisUp = true;
  const app = buildApiApp({ log, checks: { redis: () => Promise.resolve(redisUp), storage: () => Promise.resolve(true) } });
  const ok = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { status: 'ok', checks: { redis: 'ok', storage: 'ok' } });
  redisUp = false;
  const down = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(down.statusCode, 503);
  assert.deepEqual(down.json(), { status: 'unavailable', checks: { redis: 'failing', storage: 'ok' } });
  await app.close();
});

test('a check that throws counts as failing, not as a crash', async () => {
  const app = buildApiApp({ log, checks: { storage: () => Promise.reject(SharedErrors.create('STORAGE_FAILED')) } });
  const response = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(response.statusCode, 503);
  await app.close();
});

test('unknown routes answer a stable code', async () => {
  const app = buildApiApp({ log, checks: {} });
  const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { code: 'ROUTE_NOT_FOUND', message: 'no route GET /nope' });
  await app.close();
});

test('KilnErrors thrown by routes keep their code and status; other errors are INTERNAL without detail', async () => {
  const app = buildApiApp({ log, checks: {} });
  app.get('/expired', () => {
    throw SharedErrors.create('TOKEN_EXPIRED');
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  const expired = await app.inject({ method: 'GET', url: '/expired' });
  assert.equal(expired.statusCode, 403);
  assert.equal(expired.json<{ code: string }>().code, 'TOKEN_EXPIRED');
  const boom = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json(), { code: 'INTERNAL', message: 'something went wrong on our side' });
  await app.close();
});
