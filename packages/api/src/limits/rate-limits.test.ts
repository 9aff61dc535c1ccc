/**
 * Rate limits as clients meet them, on two API apps sharing one real Redis (as two API nodes do):
 * playback links and upload creation per key and per address, repeated token and key refusals
 * per address, each past its limit a 429 RATE_LIMITED with Retry-After.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApiKeyStore } from '../auth/key-store.js';
import type { JobQueue } from '../plugins/external/queues.js';
import { AS_ADMIN, startUploadHarness, type Harness, type UploadHarness } from '../testing/harness.js';
import type { RateLimits } from './limiters.js';

let harness: UploadHarness;
let h: Harness;
let queue: JobQueue;

/** Generous everywhere but where a test lowers one. */
const LOOSE: RateLimits = { uploadsPerKey: 1000, uploadsPerAddress: 1000, playbackLinksPerKey: 1000, playbackLinksPerAddress: 1000, tokenFailuresPerAddress: 1000 };

before(async () => {
  harness = await startUploadHarness();
  ({ h, queue } = harness);
});
after(() => harness.stop());
beforeEach(() => harness.reset());

/** Two API nodes on the one Redis. */
function nodes(limits: Partial<RateLimits>): FastifyInstance[] {
  const extra = { limits: { ...LOOSE, ...limits }, uploads: { queue, maxBytes: 1024 * 1024 } };
  return [h.build({}, extra), h.build({}, extra)];
}

function code(response: LightMyRequestResponse): string {
  return response.json<{ code: string }>().code;
}

const link = (app: FastifyInstance, headers = AS_ADMIN, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/v1/videos/v1/playback', headers, remoteAddress });

/** A 429 RATE_LIMITED whose Retry-After is the seconds its details give, within the window. */
function assertLimited(response: LightMyRequestResponse, what: RegExp, windowSeconds = 60): void {
  assert.equal(response.statusCode, 429, response.body);
  const body = response.json<{ code: string; message: string; details: { retryAfterSeconds: number } }>();
  assert.equal(body.code, 'RATE_LIMITED');
  assert.match(body.message, what);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${retryAfter}`);
  assert.equal(body.details.retryAfterSeconds, retryAfter);
}

test('playback links per key: two nodes on one Redis share the count; another key has its own', async (t) => {
  const [a, b] = nodes({ playbackLinksPerKey: 5 });
  const statuses: number[] = [];
  for (let i = 0; i < 12; i += 1) statuses.push((await link(i % 2 === 0 ? a : b)).statusCode);
  assert.deepEqual(statuses, [...Array<number>(5).fill(201), ...Array<number>(7).fill(429)]);
  assertLimited(await link(b), /playback links made with this API key: at most 5 per 60 s/);
  const other = await createApiKeyStore({ redis: h.redis, keys: h.keys }).create('app', 'playback');
  assert.equal((await link(a, { authorization: `Bearer ${other.key}` })).statusCode, 201);
  t.diagnostic(`per key, limit 5 on two nodes: ${statuses.filter((s) => s === 201).length} of ${statuses.length} rapid requests passed`);
});

test('playback links per address: keys do not add up, another address has its own count', async () => {
  const [a] = nodes({ playbackLinksPerAddress: 3 });
  const store = createApiKeyStore({ redis: h.redis, keys: h.keys });
  const keys = await Promise.all([store.create('one', 'playback'), store.create('two', 'playback')]);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i += 1) statuses.push((await link(a, { authorization: `Bearer ${keys[i % 2].key}` }, '203.0.113.7')).statusCode);
  assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429]);
  assertLimited(await link(a, AS_ADMIN, '203.0.113.7'), /from this address/);
  assert.equal((await link(a, AS_ADMIN, '203.0.113.8')).statusCode, 201);
  // IPv6 clients are one address per /64.
  assert.equal((await link(a, AS_ADMIN, '2001:db8::1')).statusCode, 201);
  assert.equal((await link(a, AS_ADMIN, '2001:db8::2')).statusCode, 201);
  assert.equal((await link(a, AS_ADMIN, '2001:db8::ffff:3')).statusCode, 201);
  assert.equal((await link(a, AS_ADMIN, '2001:db8::4')).statusCode, 429);
});

test('upload creation, simple and tus, counts against one limit per key', async () => {
  const [a, b] = nodes({ uploadsPerKey: 2 });
  const simple = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/v1/videos', headers: { ...AS_ADMIN, 'content-type': 'video/mp4' }, payload: 'not a video' });
  const tus = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/v1/videos', headers: { ...AS_ADMIN, 'tus-resumable': '1.0.0', 'upload-length': '100' } });
  assert.equal((await simple(a)).statusCode, 202);
  assert.equal((await tus(b)).statusCode, 201);
  assertLimited(await tus(a), /uploads started with this API key: at most 2/);
  assertLimited(await simple(b), /uploads started with this API key/);
  // Other routes of the key are not limited.
  assert.equal((await a.inject({ method: 'GET', url: '/v1/videos/v1', headers: AS_ADMIN })).statusCode, 200);
});

test('refused tokens and keys from one address become 429 past the limit; valid ones never count nor wait', async () => {
  const [a, b] = nodes({ tokenFailuresPerAddress: 3, windowMs: 1500 });
  const master = (await link(a)).json<{ url: string }>().url.replace('https://kiln.test', '');
  const bad = (app: FastifyInstance, remoteAddress = '198.51.100.1') => app.inject({ method: 'GET', url: '/play/not-a-token/master.m3u8', remoteAddress });
  const wrongKey = { authorization: 'Bearer kiln_not-the-key-0123456789abcdef' };
  assert.equal((await a.inject({ method: 'GET', url: '/v1/videos/v1', headers: AS_ADMIN, remoteAddress: '198.51.100.1' })).statusCode, 200);
  assert.deepEqual([(await bad(a)).statusCode, (await bad(b)).statusCode, code(await bad(a))], [403, 403, 'TOKEN_MALFORMED']);
  assertLimited(await bad(b), /refused tokens or API keys from this address: at most 3 per 2 s/, 2);
  const keyRefused = await a.inject({ method: 'GET', url: '/v1/videos/v1', headers: wrongKey, remoteAddress: '198.51.100.1' });
  assertLimited(keyRefused, /from this address/, 2);
  assert.equal(keyRefused.headers['www-authenticate'], undefined, 'a 429 asks for no credentials');
  // The same address with a valid link and key is served; another address is refused as before.
  assert.equal((await b.inject({ method: 'GET', url: master, remoteAddress: '198.51.100.1' })).statusCode, 200);
  assert.equal((await a.inject({ method: 'GET', url: '/v1/videos/v1', headers: AS_ADMIN, remoteAddress: '198.51.100.1' })).statusCode, 200);
  assert.equal((await bad(a, '198.51.100.2')).statusCode, 403);
  assert.equal((await a.inject({ method: 'GET', url: '/v1/videos/v1', headers: wrongKey, remoteAddress: '198.51.100.2' })).statusCode, 401);
  // The window ends: refusals are refusals again.
  await new Promise((resolve) => setTimeout(resolve, 1600));
  assert.equal((await bad(a)).statusCode, 403);
});

test('without limits nothing is counted: an app built without them keeps no rate keys', async () => {
  const app = h.build();
  for (let i = 0; i < 40; i += 1) assert.equal((await app.inject({ method: 'GET', url: '/play/not-a-token/master.m3u8' })).statusCode, 403);
  assert.deepEqual(await h.redis.keys(h.keys.rateLimit('x', 'x').replace(/x:x$/, '*')), []);
});
