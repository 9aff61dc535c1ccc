import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import { sampleVideo } from '../testing/sample-videos.js';
import { reportLoad } from '../testing/load-reports.js';
import { AS_ADMIN, startHarness, type Harness } from '../testing/harness.js';

HLS.setOptions({ strictMode: true });
let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => h.stop());
beforeEach(async () => {
  await h.reset();
  await h.saveVideo(sampleVideo({ id: 'v1' }));
  await h.saveVideo(sampleVideo({ id: 'v2' }));
});

async function playbackUrl(app = h.build(), body: object = { profile: 'mobile' }, video = 'v1'): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `/v1/videos/${video}/playback`, payload: body, headers: AS_ADMIN });
  assert.equal(response.statusCode, 201, response.body);
  return new URL(response.json<{ url: string }>().url).pathname;
}

function code(response: { json: <T>() => T }): string {
  return response.json<{ code: string }>().code;
}

/** The master a link opens, fetched with `userAgent`: its renditions' profile and its first variant. */
async function openLink(app: ReturnType<typeof h.build>, url: string, userAgent: string): Promise<{ profile: string; first: string }> {
  const master = await app.inject({ method: 'GET', url: new URL(url).pathname, headers: { 'user-agent': userAgent } });
  assert.equal(master.statusCode, 200);
  const parsed = HLS.parse(master.body);
  assert.ok(parsed.isMasterPlaylist);
  const first = /\/(\w+)-(\w+)\/index\.m3u8$/.exec(parsed.variants[0]?.uri ?? '');
  return { profile: first?.[1] ?? '', first: `${first?.[1] ?? ''}-${first?.[2] ?? ''}` };
}

const HEADLESS_CHROMIUM = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
const OLD_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 4_2_1 like Mac OS X)';

test('POST playback answers a one-time URL with its expiry; the profile comes from the body, else from the player as it opens the link', async () => {
  const app = h.build();
  const response = await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload: { lifetimeSeconds: 60 }, headers: { ...AS_ADMIN, 'user-agent': 'node' } });
  assert.equal(response.statusCode, 201);
  const body = response.json<{ url: string; expiresAt: string; profile?: string }>();
  assert.match(body.url, /^https:\/\/kiln\.test\/play\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\/master\.m3u8$/);
  assert.equal(body.expiresAt, new Date(h.clock.now + 60_000).toISOString());
  assert.equal(body.profile, undefined, 'a backend asking on a viewer\'s behalf fixes no profile');
  assert.equal((await openLink(app, body.url, HEADLESS_CHROMIUM)).profile, 'desktop');
  const forIphone = await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', headers: AS_ADMIN });
  assert.equal((await openLink(app, forIphone.json<{ url: string }>().url, OLD_IPHONE)).profile, 'legacy');
  const chosen = await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload: { profile: 'desktop' }, headers: AS_ADMIN });
  assert.equal(chosen.json<{ profile: string }>().profile, 'desktop');
  assert.equal((await openLink(app, chosen.json<{ url: string }>().url, OLD_IPHONE)).profile, 'desktop', 'a profile the request fixed stands');
});

test('the master lists first the variant that fits the bandwidth hint, else the profile\'s default; a cached first segment one rung below wins', async () => {
  const app = h.build();
  const link = async (payload: object) => (await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload, headers: AS_ADMIN })).json<{ url: string }>().url;
  assert.equal((await openLink(app, await link({ profile: 'desktop' }), HEADLESS_CHROMIUM)).first, 'desktop-1080p');
  assert.equal((await openLink(app, await link({ profile: 'mobile' }), HEADLESS_CHROMIUM)).first, 'mobile-720p');
  assert.equal((await openLink(app, await link({ profile: 'desktop', bandwidth: 1_000_000 }), HEADLESS_CHROMIUM)).first, 'desktop-360p');
  assert.equal((await openLink(app, await link({ profile: 'desktop', bandwidth: 10_000 }), HEADLESS_CHROMIUM)).first, 'desktop-234p', 'nothing fits: the lowest');
  await h.redis.hset(h.keys.segmentIndex('v1', 'desktop-720p'), '0', JSON.stringify({ bytes: 1, created: 1, accessed: 1 }));
  assert.equal((await openLink(app, await link({ profile: 'desktop' }), HEADLESS_CHROMIUM)).first, 'desktop-720p');
});

test('once its opening is cached, a rendition declares the average its segments measure', async () => {
  const app = h.build();
  const entry = (bytes: number) => JSON.stringify({ bytes, created: 1, accessed: 1, pinned: true });
  await h.redis.hset(h.keys.segmentIndex('v1', 'mobile-234p'), { 0: entry(30_000), 1: entry(30_000), 2: entry(45_000) });
  const url = (await app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload: { profile: 'mobile' }, headers: AS_ADMIN })).json<{ url: string }>().url;
  const master = HLS.parse((await app.inject({ method: 'GET', url: new URL(url).pathname })).body);
  assert.ok(master.isMasterPlaylist);
  const averages = new Map(master.variants.map((variant) => [/\/(\w+-\w+)\/index/.exec(variant.uri)?.[1], variant.averageBandwidth ?? 0]));
  // 105,000 bytes over the 7.007 s of segments 0–2 at 29.97 fps.
  assert.ok(Math.abs((averages.get('mobile-234p') ?? 0) - 119_880) <= 1, `measured: ${averages.get('mobile-234p')}`);
  const view = (await app.inject({ method: 'GET', url: '/v1/videos/v1', headers: AS_ADMIN })).json<{ renditions: { id: string; averageBandwidth: number }[] }>();
  assert.equal(averages.get('mobile-360p'), view.renditions.find((rendition) => rendition.id === 'mobile-360p')?.averageBandwidth, 'nothing cached: the model');
});

test('POST playback refuses unknown videos, videos not ready, bad profiles and too long lifetimes with stable codes', async () => {
  const app = h.build();
  await h.saveVideo(sampleVideo({ id: 'busy', state: 'processing' }));
  const cases: [string, object, number, string][] = [
    ['nope', {}, 404, 'VIDEO_NOT_FOUND'],
    ['busy', {}, 409, 'VIDEO_NOT_READY'],
    ['v1', { profile: 'tv' }, 400, 'BAD_REQUEST'],
    ['v1', { lifetimeSeconds: 7 * 3600 }, 400, 'BAD_REQUEST'],
  ];
  for (const [video, payload, status, expected] of cases) {
    const response = await app.inject({ method: 'POST', url: `/v1/videos/${video}/playback`, payload, headers: AS_ADMIN });
    assert.deepEqual([response.statusCode, code(response)], [status, expected], `${video} ${JSON.stringify(payload)}`);
  }
});

test('the master is served once: a replay is 403 TOKEN_USED, on any API node', async () => {
  const path = await playbackUrl();
  const first = await h.build().inject({ method: 'GET', url: path });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['content-type'], 'application/vnd.apple.mpegurl');
  assert.equal(first.headers['cache-control'], 'private, no-store');
  const master = HLS.parse(first.body);
  assert.ok(master.isMasterPlaylist);
  assert.equal(master.variants.length, 4);
  const replay = await h.build().inject({ method: 'GET', url: path });
  assert.deepEqual([replay.statusCode, code(replay)], [403, 'TOKEN_USED']);
});

test('a reusable link opens many times; each opening is its own session', async () => {
  const app = h.build();
  const path = await playbackUrl(app, { reusable: true });
  const bodies = await Promise.all([1, 2, 3].map(() => app.inject({ method: 'GET', url: path })));
  assert.deepEqual(bodies.map((r) => r.statusCode), [200, 200, 200]);
  assert.equal(new Set(bodies.map((r) => r.body)).size, 3);
});

test('50 concurrent GETs of one link: exactly one master', async () => {
  const app = h.build();
  const path = await playbackUrl(app);
  const responses = await Promise.all(Array.from({ length: 50 }, () => app.inject({ method: 'GET', url: path })));
  assert.equal(responses.filter((r) => r.statusCode === 200).length, 1);
  assert.ok(responses.filter((r) => r.statusCode !== 200).every((r) => code(r) === 'TOKEN_USED'));
});

test('an expired link is 403 TOKEN_EXPIRED, and its nonce is not consumed', async () => {
  const app = h.build();
  const path = await playbackUrl(app, { lifetimeSeconds: 30 });
  h.clock.now += 30_000;
  const response = await app.inject({ method: 'GET', url: path });
  assert.deepEqual([response.statusCode, code(response)], [403, 'TOKEN_EXPIRED']);
  assert.equal((await h.redis.keys('kiln:nonce:*')).length, 0);
  h.clock.now -= 30_000;
});

test('every byte of a link changed is refused (tampered or malformed), never served', async () => {
  const app = h.build();
  const path = await playbackUrl(app);
  const token = path.split('/')[2] ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  const codes = new Set<string>();
  for (let i = 0; i < token.length; i += 1) {
    const original = token[i] ?? '';
    const replacement = alphabet[(alphabet.indexOf(original) + 1 + (i % 7)) % alphabet.length] ?? 'A';
    const forged = `${token.slice(0, i)}${replacement}${token.slice(i + 1)}`;
    const response = await app.inject({ method: 'GET', url: `/play/${forged}/master.m3u8` });
    assert.equal(response.statusCode, 403, `byte ${i}`);
    codes.add(code(response));
  }
  assert.deepEqual([...codes].sort(), ['TOKEN_MALFORMED', 'TOKEN_TAMPERED']);
  assert.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200, 'the genuine link still works once');
});

test('a link for a video deleted or not ready since is refused with the video code, and stays unused', async () => {
  const app = h.build();
  const path = await playbackUrl(app);
  await h.saveVideo(sampleVideo({ id: 'v1', state: 'processing' }));
  const notReady = await app.inject({ method: 'GET', url: path });
  assert.deepEqual([notReady.statusCode, code(notReady)], [409, 'VIDEO_NOT_READY']);
  await h.redis.del(h.keys.video('v1'));
  const gone = await app.inject({ method: 'GET', url: path });
  assert.deepEqual([gone.statusCode, code(gone)], [404, 'VIDEO_NOT_FOUND']);
});

test('variant URLs carry a session token: another video\'s token, a playback token or a forged one are refused', async () => {
  await reportLoad(h.redis, h.keys, { id: 'w1', active: 0, capacity: 2 });
  const app = h.build();
  const master = HLS.parse((await app.inject({ method: 'GET', url: await playbackUrl(app) })).body);
  assert.ok(master.isMasterPlaylist);
  const variantUri = master.variants[0]?.uri ?? '';
  const variantPath = new URL(variantUri, 'https://kiln.test/play/x/master.m3u8').pathname;
  const [, , video, session, rendition] = variantPath.split('/');
  assert.equal(video, 'v1');
  const ok = await app.inject({ method: 'GET', url: variantPath });
  assert.equal(ok.statusCode, 200);
  const payload = JSON.parse(Buffer.from(session?.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  assert.deepEqual([payload.kind, payload.video, payload.profile, payload.worker], ['session', 'v1', 'mobile', 'w1']);
  const otherVideo = await app.inject({ method: 'GET', url: `/play/v2/${session}/${rendition}/index.m3u8` });
  assert.deepEqual([otherVideo.statusCode, code(otherVideo)], [403, 'TOKEN_WRONG_VIDEO']);
  const linkToken = (await playbackUrl(app)).split('/')[2];
  const wrongKind = await app.inject({ method: 'GET', url: `/play/v1/${linkToken}/${rendition}/index.m3u8` });
  assert.deepEqual([wrongKind.statusCode, code(wrongKind)], [403, 'TOKEN_WRONG_KIND']);
  const unknownRendition = await app.inject({ method: 'GET', url: `/play/v1/${session}/desktop-1080p/index.m3u8` });
  assert.deepEqual([unknownRendition.statusCode, code(unknownRendition)], [404, 'RENDITION_NOT_FOUND']);
  h.clock.now += 6 * 3_600_000;
  const expired = await app.inject({ method: 'GET', url: variantPath });
  assert.deepEqual([expired.statusCode, code(expired)], [403, 'TOKEN_EXPIRED']);
  h.clock.now -= 6 * 3_600_000;
});

test('refused tokens are counted by reason in /metrics', async () => {
  const app = h.build();
  const path = await playbackUrl(app);
  await app.inject({ method: 'GET', url: path });
  await app.inject({ method: 'GET', url: path });
  await app.inject({ method: 'GET', url: '/play/not-a-token/master.m3u8' });
  const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: AS_ADMIN })).body;
  assert.match(metrics, /kiln_api_tokens_refused_total\{reason="TOKEN_USED"\} 1/);
  assert.match(metrics, /kiln_api_tokens_refused_total\{reason="TOKEN_MALFORMED"\} 1/);
  assert.match(metrics, /kiln_api_request_duration_seconds_count\{method="GET",route="\/play\/:token\/master.m3u8",status="200"\} 1/);
});
