import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createLogger, createRedisKeys } from '@kiln/shared';
import { startRedis, type RedisService } from '@kiln/shared/testing';
import { installErrorHandler } from '@kiln/shared';
import { API_ERROR_POLICY } from '../errors.js';
import { bearerCredential, hashApiKey } from './api-keys.js';
import { buildApiApp } from '../app.js';
import { installAuthentication } from './authenticate.js';
import { createApiKeyStore, type ApiKeyStore } from './key-store.js';
import { scopeAllows } from './scopes.js';

const CONFIGURED = 'kiln_configured-key-for-tests-0123456789';
const METRICS_TOKEN = 'prometheus-scrape-token-0123';
let service: RedisService;
let redis: Redis;
let store: ApiKeyStore;
const keys = createRedisKeys('kiln');

before(async () => {
  service = await startRedis();
  redis = new Redis(service.url);
  store = createApiKeyStore({ redis, keys, configured: [CONFIGURED] });
});
after(async () => {
  redis.disconnect();
  await service.stop();
});

/** A tiny app with one route per scope and the log lines it writes, to check no key leaks into them. */
function appWithRoutes(): { app: FastifyInstance; logLines: string[] } {
  const logLines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { logLines.push(chunk.toString()); done(); } });
  const log: FastifyBaseLogger = createLogger({ name: 'auth-test', level: 'trace', destination: sink });
  const app = Fastify({ loggerInstance: log });
  installErrorHandler(app, API_ERROR_POLICY);
  installAuthentication(app, { store, metricsToken: METRICS_TOKEN });
  app.get('/metrics', { config: { scope: 'admin', metricsToken: true } }, () => 'metrics');
  app.get('/v1/read', { config: { scope: 'playback' } }, (request) => ({ id: request.apiKey?.id }));
  app.post('/v1/upload', { config: { scope: 'upload' } }, () => ({ ok: true }));
  app.delete('/v1/undeclared', () => ({ ok: true }));
  app.get('/open', () => ({ ok: true }));
  return { app, logLines };
}

test('scopes nest: playback within upload within admin', () => {
  assert.ok(scopeAllows('admin', 'playback'));
  assert.ok(scopeAllows('upload', 'upload'));
  assert.ok(!scopeAllows('upload', 'admin'));
  assert.ok(!scopeAllows('playback', 'upload'));
});

test('a bearer header is parsed strictly', () => {
  assert.deepEqual(bearerCredential(undefined), { kind: 'absent' });
  assert.deepEqual(bearerCredential('bearer kiln_abcdefghijklmnop'), { kind: 'key', key: 'kiln_abcdefghijklmnop' });
  for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', `Bearer ${'x'.repeat(300)}`, 'Bearer short']) {
    assert.deepEqual(bearerCredential(header), { kind: 'malformed' }, header);
  }
});

test('run-time keys are stored only as hashes, listed, and stop working when revoked', async () => {
  const { key, info } = await store.create('ci uploader', 'upload');
  assert.match(key, /^kiln_[A-Za-z0-9_-]{43}$/);
  const dump = JSON.stringify(await Promise.all((await redis.keys('*')).map((k) => redis.type(k).then((t) => (t === 'hash' ? redis.hgetall(k) : {}))))) + (await redis.keys('*')).join();
  assert.ok(!dump.includes(key), 'the key itself is not in Redis');
  assert.ok(dump.includes(hashApiKey(key)));
  assert.deepEqual((await store.authenticate(key))?.scope, 'upload');
  const listed = await store.list();
  assert.deepEqual(listed.map((k) => [k.id, k.scope, k.source]), [['config-1', 'admin', 'config'], [info.id, 'upload', 'redis']]);
  assert.equal(await store.revoke(info.id), true);
  assert.equal(await store.revoke(info.id), false);
  assert.equal(await store.authenticate(key), undefined);
});

test('routes answer 401 without a key or with a wrong one, 403 below their scope, and work with one', async () => {
  const { app, logLines } = appWithRoutes();
  const { key: playbackKey } = await store.create('player backend', 'playback');
  const missing = await app.inject({ method: 'GET', url: '/v1/read' });
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json<{ code: string }>().code, 'AUTH_REQUIRED');
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="kiln"');
  const wrong = await app.inject({ method: 'GET', url: '/v1/read', headers: { authorization: 'Bearer kiln_not-a-key-we-ever-made' } });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.json<{ code: string }>().code, 'AUTH_INVALID');
  const low = await app.inject({ method: 'POST', url: '/v1/upload', headers: { authorization: `Bearer ${playbackKey}` } });
  assert.equal(low.statusCode, 403);
  assert.equal(low.json<{ code: string }>().code, 'AUTH_SCOPE');
  const ok = await app.inject({ method: 'GET', url: '/v1/read', headers: { authorization: `Bearer ${playbackKey}` } });
  assert.equal(ok.statusCode, 200);
  const undeclared = await app.inject({ method: 'DELETE', url: '/v1/undeclared', headers: { authorization: `Bearer ${playbackKey}` } });
  assert.equal(undeclared.statusCode, 403, 'a /v1 route without a declared scope needs admin');
  const admin = await app.inject({ method: 'DELETE', url: '/v1/undeclared', headers: { authorization: `Bearer ${CONFIGURED}` } });
  assert.equal(admin.statusCode, 200);
  const unknown = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
  assert.equal(unknown.statusCode, 401, 'an unknown /v1 route says nothing before a key');
  assert.equal((await app.inject({ method: 'GET', url: '/open' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'OPTIONS', url: '/v1/upload' })).statusCode !== 401, true, 'preflights pass');
  await app.close();
  const log = logLines.join('');
  assert.ok(log.length > 0, 'the app logged its requests');
  for (const secret of [playbackKey, CONFIGURED]) assert.ok(!log.includes(secret), 'no key in any log line');
});

test('/metrics takes the metrics token or an admin key, and the metrics token opens nothing else', async () => {
  const { app } = appWithRoutes();
  const asMetrics = { authorization: `Bearer ${METRICS_TOKEN}` };
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: asMetrics })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${CONFIGURED}` } })).statusCode, 200);
  assert.equal((await app.inject({ method: 'DELETE', url: '/v1/undeclared', headers: asMetrics })).statusCode, 401);
  await app.close();
});

test('CORS: /play answers any origin; /v1 only the origins in KILN_CORS_ORIGINS', async () => {
  const app = buildApiApp({ log: createLogger({ name: 'cors-test', level: 'silent' }), checks: {}, access: { corsOrigins: ['https://app.example'] } });
  const preflight = (url: string, origin: string) =>
    app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
  assert.equal((await preflight('/play/x/master.m3u8', 'https://anyone.example')).headers['access-control-allow-origin'], '*');
  assert.equal((await preflight('/v1/videos', 'https://app.example')).headers['access-control-allow-origin'], 'https://app.example');
  assert.equal((await preflight('/v1/videos', 'https://evil.example')).headers['access-control-allow-origin'], undefined);
  await app.close();
});
