/**
 * Playback links an application signs with its own key, made by the README's Node.js example as it
 * is written there, against an API listening on a port.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { signSessionToken } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { sampleVideo } from '../testing/sample-videos.js';
import { startHarness, TEST_SECRET, TEST_SIGNING_KEY, type Harness } from '../testing/harness.js';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));
const EXAMPLE = /<!-- signed-url-example:start[^>]*-->\s*```js\n([\s\S]*?)```\s*<!-- signed-url-example:end -->/;
const KEY = `${TEST_SIGNING_KEY.id}:${TEST_SIGNING_KEY.secret}`;

let h: Harness;
let dir: string;
let script: string;
let base: string;

before(async () => {
  h = await startHarness();
  dir = await makeTempDir('kiln-signed-');
  const example = EXAMPLE.exec(await readFile(README, 'utf8'))?.[1];
  assert.ok(example, 'README.md has the signed-url-example section');
  script = join(dir, 'sign-url.mjs');
  await writeFile(script, example);
  base = await h.build().listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await h.stop();
  await removeTempDir(dir);
});
beforeEach(async () => {
  await h.reset();
  await h.saveVideo(sampleVideo({ id: 'v1' }));
  // The example signs with the real clock.
  h.clock.now = Date.now();
});

/** The URL the README example prints: plain `node`, only the variables it documents. */
async function exampleUrl(key: string, video = 'v1'): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [script, video], { env: { KILN_SIGNING_KEY: key, KILN_PUBLIC_URL: base } });
  return stdout.trim();
}

async function refusal(url: string): Promise<[number, string]> {
  const response = await fetch(url);
  return [response.status, ((await response.json()) as { code: string }).code];
}

async function firstVariant(masterUrl: string): Promise<URL> {
  const response = await fetch(masterUrl);
  assert.equal(response.status, 200);
  const master = HLS.parse(await response.text());
  assert.ok(master.isMasterPlaylist);
  return new URL(master.variants[0]?.uri ?? '', masterUrl);
}

test('a URL from the README example plays once: 200, then 403 TOKEN_USED', async () => {
  const url = await exampleUrl(KEY);
  assert.match(url, new RegExp(`^${base}/play/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}/master\\.m3u8$`));
  const first = await fetch(url);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  const master = HLS.parse(await first.text());
  assert.ok(master.isMasterPlaylist);
  assert.equal(master.variants.length, 4);
  const variant = await fetch(new URL(master.variants[0]?.uri ?? '', url));
  assert.equal(variant.status, 200, 'the session it starts is the API\'s own');
  assert.deepEqual(await refusal(url), [403, 'TOKEN_USED']);
});

test('a wrong secret or an unknown key id is 403 TOKEN_TAMPERED and consumes nothing', async () => {
  const wrongSecret = await exampleUrl(`${TEST_SIGNING_KEY.id}:another secret that is long enough for HMAC`);
  assert.deepEqual(await refusal(wrongSecret), [403, 'TOKEN_TAMPERED']);
  const unknownKid = await exampleUrl(`other-app:${TEST_SIGNING_KEY.secret}`);
  assert.deepEqual(await refusal(unknownKid), [403, 'TOKEN_TAMPERED']);
  assert.equal((await h.redis.keys('kiln:nonce:*')).length, 0);
  assert.deepEqual(await refusal(await exampleUrl(KEY, 'gone')), [404, 'VIDEO_NOT_FOUND'], 'a genuine link still meets the video checks');
});

test('a signing key cannot make a session token that variant or segment URLs accept', async () => {
  const variant = await firstVariant(await exampleUrl(KEY));
  const [, , video = '', , rendition = ''] = variant.pathname.split('/');
  const claims = { video, profile: 'mobile' as const };
  const expiresAt = new Date(h.clock.now + 3_600_000);
  const forged = signSessionToken(TEST_SIGNING_KEY, claims, { expiresAt });
  assert.deepEqual(await refusal(`${base}/play/${video}/${forged}/${rendition}/index.m3u8`), [403, 'TOKEN_TAMPERED']);
  assert.deepEqual(await refusal(`${base}/play/${video}/${forged}/${rendition}/0.ts`), [403, 'TOKEN_TAMPERED']);
  const genuine = signSessionToken(TEST_SECRET, claims, { expiresAt });
  assert.equal((await fetch(`${base}/play/${video}/${genuine}/${rendition}/index.m3u8`)).status, 200, 'the same claims with the API\'s secret');
  assert.equal((await fetch(variant)).status, 200, 'the session the link started plays');
});
