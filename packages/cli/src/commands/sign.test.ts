import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SharedErrors, verifyPlaybackToken, verifySessionToken, type Env } from '@kiln/shared';
import { signCommand } from './sign.js';

const KILN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/kiln.js');
const KEY = { id: 'acme-1', secret: 'a signing key secret of at least 32 bytes' };
const ENV = { KILN_SIGNING_KEY: `${KEY.id}:${KEY.secret}` };
const NOW = new Date('2030-01-01T00:00:00Z');

async function sign(args: string[], env: Env = ENV): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env, now: () => NOW };
  const code = await signCommand(args, io);
  return { code, stdout, stderr };
}

function tokenOf(url: string): string {
  return /\/play\/([^/]+)\/master\.m3u8$/.exec(url)?.[1] ?? '';
}

test('kiln sign prints a master URL whose link the signing key verifies, for the asked profile, lifetime and reuse', async () => {
  const { code, stdout } = await sign(['--video', 'vid_1', '--profile', 'legacy', '--ttl', '90s', '--reusable', '--base-url', 'https://video.example.com/']);
  assert.equal(code, 0);
  assert.match(stdout, /^https:\/\/video\.example\.com\/play\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\/master\.m3u8\n$/);
  const link = verifyPlaybackToken(KEY, tokenOf(stdout.trim()), { now: NOW });
  assert.deepEqual(link.claims, { kind: 'playback', video: 'vid_1', profile: 'legacy', reusable: true });
  assert.equal(link.exp, NOW.getTime() / 1000 + 90);
  assert.throws(() => verifySessionToken(KEY, tokenOf(stdout.trim()), { now: NOW }), (error: unknown) => SharedErrors.is(error, 'TOKEN_WRONG_KIND'));
});

test('defaults: the player\'s User-Agent picks the profile, one-time, 10 minutes, KILN_PUBLIC_URL else the local API', async () => {
  const local = await sign(['--video', 'v'], { ...ENV, KILN_PUBLIC_URL: '' });
  assert.ok(local.stdout.startsWith('http://127.0.0.1:8080/play/'));
  const link = verifyPlaybackToken(KEY, tokenOf(local.stdout.trim()), { now: NOW });
  assert.deepEqual([link.claims.profile, link.claims.reusable, link.exp], [undefined, false, NOW.getTime() / 1000 + 600]);
  const publicUrl = await sign(['--video', 'v'], { ...ENV, KILN_PUBLIC_URL: 'https://kiln.example.org' });
  assert.ok(publicUrl.stdout.startsWith('https://kiln.example.org/play/'));
  const two = [(await sign(['--video', 'v'])).stdout, (await sign(['--video', 'v'])).stdout];
  assert.notEqual(two[0], two[1], 'each link has its own nonce');
});

test('bad usage and a missing or bad key exit 2 with the reason and never echo the secret', async () => {
  const cases: [string[], Env, RegExp][] = [
    [[], ENV, /--video/],
    [['--video', 'v', '--profile', 'tv'], ENV, /--profile/],
    [['--video', 'v', '--ttl', 'soon'], ENV, /--ttl/],
    [['--video', 'v', '--base-url', 'ftp://x'], ENV, /--base-url/],
    [['--video', 'v', '--key', ENV.KILN_SIGNING_KEY], ENV, /Unknown option '--key'/],
    [['--video', 'v'], {}, /KILN_SIGNING_KEY: is required/],
    [['--video', 'v'], { KILN_SIGNING_KEY: KEY.secret }, /KILN_SIGNING_KEY: must be KEYID:SECRET/],
    [['--video', 'v'], { KILN_SIGNING_KEY: 'acme-1:too-short-a-secret' }, /KILN_SIGNING_KEY: the secret of key "acme-1" must be at least 32 bytes/],
  ];
  for (const [args, env, reason] of cases) {
    const { code, stdout, stderr } = await sign(args, env);
    assert.deepEqual([code, stdout], [2, ''], args.join(' '));
    assert.match(stderr, reason);
    assert.match(stderr, /usage: KILN_SIGNING_KEY=KEYID:SECRET kiln sign/);
    assert.doesNotMatch(stderr, /a signing key secret|too-short-a-secret/);
  }
});

test('the kiln binary runs the sign command', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [KILN, 'sign', '--video', 'v1'], { env: { ...process.env, ...ENV, KILN_PUBLIC_URL: '' } });
  const link = verifyPlaybackToken(KEY, tokenOf(stdout.trim()), { now: new Date() });
  assert.equal(link.claims.video, 'v1');
});
