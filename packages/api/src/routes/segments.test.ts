import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import HLS from 'hls-parser';
import type { FastifyInstance } from 'fastify';
import { sampleVideo } from '../testing/sample-videos.js';
import { reportLoad } from '../testing/load-reports.js';
import { AS_ADMIN, startHarness, type Harness } from '../testing/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h.stop());
beforeEach(async () => {
  await h.reset();
  await h.saveVideo(sampleVideo({ id: 'v1' }));
});

/** A session's lowest rendition: its variant path, from a fresh master. */
async function startSession(app: FastifyInstance): Promise<{ base: string; master: string }> {
  const link = await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload: { profile: 'mobile' }, headers: AS_ADMIN });
  const master = await app.inject({ method: 'GET', url: new URL(link.json<{ url: string }>().url).pathname });
  const parsed = HLS.parse(master.body);
  assert.ok(parsed.isMasterPlaylist);
  const lowest = [...parsed.variants].sort((a, b) => a.bandwidth - b.bandwidth)[0];
  const variant = new URL(lowest?.uri ?? '', 'https://kiln.test/play/t/master.m3u8').pathname;
  return { base: variant.replace(/index\.m3u8$/, ''), master: master.body };
}

const code = (response: { json: <T>() => T }) => response.json<{ code: string }>().code;

test('serving a pinned (pre-transcoded) segment from the cache keeps it pinned', async () => {
  const app = h.build();
  const { base } = await startSession(app);
  const bytes = Buffer.alloc(188 * 10, 0x47);
  await h.storage.put('segments/v1/mobile-234p/0.ts', bytes);
  await h.redis.hset(h.keys.segmentIndex('v1', 'mobile-234p'), '0', JSON.stringify({ bytes: bytes.length, created: 1, accessed: 1, pinned: true }));
  assert.equal((await app.inject({ method: 'GET', url: `${base}0.ts` })).statusCode, 200);
  for (let i = 0; i < 100 && (await h.redis.zscore(h.keys.segmentsByAccess(), 'v1/mobile-234p/0')) === null; i += 1) await sleep(10);
  assert.deepEqual(JSON.parse((await h.redis.hget(h.keys.segmentIndex('v1', 'mobile-234p'), '0')) ?? ''), { bytes: bytes.length, created: 1, accessed: h.clock.now, pinned: true });
});

test('a cached segment is streamed from storage in place, with its length, and its last access recorded', async () => {
  const app = h.build();
  const { base } = await startSession(app);
  const bytes = Buffer.alloc(188 * 10, 0x47);
  await h.storage.put('segments/v1/mobile-234p/3.ts', bytes);
  await h.storage.put('segments/v1/mobile-234p/4.ts', bytes);
  await h.redis.hset(h.keys.segmentIndex('v1', 'mobile-234p'), '3', JSON.stringify({ bytes: bytes.length, created: 1, accessed: 1 }));
  const response = await app.inject({ method: 'GET', url: `${base}3.ts`, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.rawPayload, bytes);
  assert.equal(response.headers['content-type'], 'video/mp2t');
  assert.equal(response.headers['content-length'], String(bytes.length));
  assert.equal(response.headers['content-encoding'], undefined, 'segments are never gzipped');
  assert.equal(response.headers['cache-control'], 'private, max-age=86400, immutable');
  assert.equal(response.headers.location, undefined);
  // The access time is recorded after the answer, off the request's path.
  for (let i = 0; i < 100 && (await h.redis.zscore(h.keys.segmentsByAccess(), 'v1/mobile-234p/3')) === null; i += 1) await sleep(10);
  assert.equal(await h.redis.zscore(h.keys.segmentsByAccess(), 'v1/mobile-234p/3'), String(h.clock.now));
  assert.deepEqual(JSON.parse((await h.redis.hget(h.keys.segmentIndex('v1', 'mobile-234p'), '3')) ?? ''), { bytes: bytes.length, created: 1, accessed: h.clock.now });
  assert.deepEqual(h.workers.calls, []);
  assert.match((await app.inject({ method: 'GET', url: '/metrics', headers: AS_ADMIN })).body, /kiln_api_segment_cache_total\{result="hit"\} 1/);
  // An object the index does not name is not served from the cache (the worker indexes after uploading).
  await reportLoad(h.redis, h.keys, { id: 'w1', url: 'http://w1', active: 0, capacity: 1 });
  assert.equal((await app.inject({ method: 'GET', url: `${base}4.ts` })).body, 'segment mobile-234p/4 from http://w1');
});

test('a miss goes to the session\'s worker; when that worker is gone, to the least-loaded live one, and the session moves', async () => {
  await reportLoad(h.redis, h.keys, { id: 'w1', url: 'http://w1', active: 0, capacity: 2 });
  const app = h.build();
  const { base } = await startSession(app);
  await reportLoad(h.redis, h.keys, { id: 'w2', url: 'http://w2', active: 0, capacity: 4 });
  const first = await app.inject({ method: 'GET', url: `${base}0.ts` });
  assert.equal(first.statusCode, 200);
  assert.equal(first.body, 'segment mobile-234p/0 from http://w1');
  assert.deepEqual(h.workers.calls.map((c) => [c.kind, c.url, c.job.segment, c.job.rungId, c.job.sourceKey]), [['fetch', 'http://w1', 0, '234p', 'sources/v1.mp4']]);
  h.workers.down.add('http://w1');
  const second = await app.inject({ method: 'GET', url: `${base}1.ts` });
  assert.equal(second.body, 'segment mobile-234p/1 from http://w2');
  assert.deepEqual(h.workers.calls.slice(1).map((c) => [c.kind, c.url]), [['fetch', 'http://w1'], ['ensure', 'http://w2'], ['fetch', 'http://w2']]);
  const session = new URL(base, 'https://kiln.test').pathname.split('/')[3] ?? '';
  const nonce = (JSON.parse(Buffer.from(session.split('.')[0] ?? '', 'base64url').toString('utf8')) as { nonce: string }).nonce;
  assert.equal(await h.redis.get(h.keys.sessionWorker(nonce)), 'w2');
  const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: AS_ADMIN })).body;
  assert.match(metrics, /kiln_api_segment_cache_total\{result="miss"\} 2/);
  assert.match(metrics, /kiln_api_scheduling_decisions_total\{decision="switched"\} 1/);
});

test('no live worker with a free slot: 503 NO_WORKER_AVAILABLE with Retry-After', async () => {
  const app = h.build();
  const { base } = await startSession(app);
  await reportLoad(h.redis, h.keys, { id: 'full', active: 1, capacity: 1 });
  const response = await app.inject({ method: 'GET', url: `${base}0.ts` });
  assert.deepEqual([response.statusCode, code(response)], [503, 'NO_WORKER_AVAILABLE']);
  assert.equal(response.headers['retry-after'], '2');
});

test('segment numbers outside the plan and other file names are 404 SEGMENT_NOT_FOUND', async () => {
  const app = h.build();
  const { base } = await startSession(app);
  // 007.ts would be segment 7 of the plan: only the canonical name 7.ts is.
  for (const file of ['15.ts', '-1.ts', 'abc.ts', '1.m4s', '01x.ts', '007.ts', '1e1.ts', '99999999999999999999.ts']) {
    const response = await app.inject({ method: 'GET', url: `${base}${file}` });
    assert.deepEqual([response.statusCode, code(response)], [404, 'SEGMENT_NOT_FOUND'], file);
  }
});

test('playlists are gzipped when the client accepts it; CORS lets browser players in', async () => {
  const app = h.build();
  const { base, master } = await startSession(app);
  const plain = await app.inject({ method: 'GET', url: `${base}index.m3u8`, headers: { origin: 'https://player.example' } });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['access-control-allow-origin'], '*');
  assert.equal(plain.headers['cache-control'], 'private, max-age=60');
  const gzipped = await app.inject({ method: 'GET', url: `${base}index.m3u8`, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gzipped.headers['content-encoding'], 'gzip');
  assert.equal(gzipped.headers['content-type'], 'application/vnd.apple.mpegurl');
  assert.equal(gunzipSync(gzipped.rawPayload).toString('utf8'), plain.body);
  assert.ok(master.includes('#EXT-X-INDEPENDENT-SEGMENTS'));
  const preflight = await app.inject({ method: 'OPTIONS', url: `${base}0.ts`, headers: { origin: 'https://player.example', 'access-control-request-method': 'GET' } });
  assert.equal(preflight.statusCode, 204);
});

test('OpenAPI lists every route at /docs', async () => {
  const app = h.build();
  const ui = await app.inject({ method: 'GET', url: '/docs' });
  assert.ok(ui.statusCode === 200 || ui.statusCode === 302);
  const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    '/metrics', '/play/{token}/master.m3u8', '/play/{video}/{session}/{rendition}/index.m3u8', '/play/{video}/{session}/{rendition}/{file}',
    '/v1/videos/{id}', '/v1/videos/{id}/playback',
  ]);
});
