import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { isKilnError, SharedErrors } from '../errors.js';
import { loadApiConfig } from '../config/index.js';
import { signPlaybackToken, verifyPlaybackToken } from './kinds.js';
import { readSigningKey } from './signing-keys.js';

const SECRET = 'a-signing-secret-of-at-least-32-bytes';
const NOW = new Date('2030-01-01T00:00:00Z');
const EXP = NOW.getTime() / 1000 + 600;
const API_ENV = { KILN_REDIS_URL: 'redis://127.0.0.1:7000', KILN_TOKEN_SECRETS: 'x'.repeat(40) };

function configProblems(keys: string): string[] {
  try {
    loadApiConfig({ ...API_ENV, KILN_PLAYBACK_SIGNING_KEYS: keys });
  } catch (error) {
    assert.ok(isKilnError(error) && error.code === 'CONFIG_INVALID');
    return error.details?.problems as string[];
  }
  assert.fail('expected CONFIG_INVALID');
}

/** A playback link made from the documented format alone: what an application's backend does. */
function handMade(payload: object, secret = SECRET): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const LINK = { kind: 'playback', video: 'vid_1', profile: 'desktop', reusable: false, exp: EXP, nonce: 'n'.repeat(16), kid: 'acme' };

test('KEYID:SECRET reads into an id and a secret; the secret keeps any further colon', () => {
  assert.deepEqual(readSigningKey(`acme_2030-b:${SECRET}:x`), { key: { id: 'acme_2030-b', secret: `${SECRET}:x` } });
  assert.match(JSON.stringify(readSigningKey(SECRET)), /KEYID:SECRET/);
  assert.match(JSON.stringify(readSigningKey(`a.b:${SECRET}`)), /key id/);
  assert.match(JSON.stringify(readSigningKey(`:${SECRET}`)), /key id/);
  assert.match(JSON.stringify(readSigningKey('k1:short')), /at least 32 bytes/);
});

test('KILN_PLAYBACK_SIGNING_KEYS: a list of pairs, absent by default', () => {
  const config = loadApiConfig({ ...API_ENV, KILN_PLAYBACK_SIGNING_KEYS: `k1:${SECRET}, k2:${SECRET}2` });
  assert.deepEqual(config.playbackSigningKeys, [{ id: 'k1', secret: SECRET }, { id: 'k2', secret: `${SECRET}2` }]);
  assert.equal(loadApiConfig(API_ENV).playbackSigningKeys, undefined);
});

test('malformed pairs, duplicate ids and short secrets fail at start, naming the variable and not the secret', () => {
  const cases: [string, RegExp][] = [
    [`k1${SECRET}`, /entry 1: must be KEYID:SECRET/],
    [`k1:${SECRET},bad id:${SECRET}`, /entry 2: the key id must be/],
    [`k1:${SECRET},k1:${SECRET}x`, /key id "k1" is listed twice/],
    ['k1:a-secret-too-short', /entry 1: the secret of key "k1" must be at least 32 bytes/],
    [',', /at least one/],
  ];
  for (const [value, reason] of cases) {
    const problems = configProblems(value);
    assert.equal(problems.length, 1, value);
    assert.match(problems[0] ?? '', /^KILN_PLAYBACK_SIGNING_KEYS=\(secret\): /);
    assert.match(problems[0] ?? '', reason);
    assert.doesNotMatch(problems[0] ?? '', /a-signing-secret|a-secret-too-short/);
  }
});

test('a link made by hand from the documented format verifies with its signing key', () => {
  const verified = verifyPlaybackToken([API_ENV.KILN_TOKEN_SECRETS, { id: 'acme', secret: SECRET }], handMade(LINK), { now: NOW });
  assert.deepEqual(verified.claims, { kind: 'playback', video: 'vid_1', profile: 'desktop', reusable: false });
  assert.deepEqual([verified.exp, verified.nonce], [EXP, 'n'.repeat(16)]);
  const made = signPlaybackToken({ id: 'acme', secret: SECRET }, { video: 'vid_1', profile: 'desktop', reusable: false }, { expiresAt: NOW, nonce: 'n'.repeat(16) });
  assert.equal((JSON.parse(Buffer.from(made.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid, 'acme');
});

test('the documented rules are the verifier\'s: each break of one is refused with its code', () => {
  const key = { id: 'acme', secret: SECRET };
  const cases: [string, string, string][] = [
    ['an extra claim', handMade({ ...LINK, admin: true }), 'TOKEN_MALFORMED'],
    ['no reusable', handMade({ ...LINK, reusable: undefined }), 'TOKEN_MALFORMED'],
    ['an unknown profile', handMade({ ...LINK, profile: 'tv' }), 'TOKEN_MALFORMED'],
    ['a video id of 129 characters', handMade({ ...LINK, video: 'v'.repeat(129) }), 'TOKEN_MALFORMED'],
    ['a nonce of 15 characters', handMade({ ...LINK, nonce: 'n'.repeat(15) }), 'TOKEN_MALFORMED'],
    ['a nonce of 65 characters', handMade({ ...LINK, nonce: 'n'.repeat(65) }), 'TOKEN_MALFORMED'],
    ['exp in milliseconds as a fraction', handMade({ ...LINK, exp: EXP + 0.5 }), 'TOKEN_MALFORMED'],
    ['padding', `${handMade(LINK).split('.')[0] ?? ''}=.x`, 'TOKEN_MALFORMED'],
    ['an unknown kid', handMade({ ...LINK, kid: 'other' }), 'TOKEN_TAMPERED'],
    ['another secret', handMade(LINK, `${SECRET}!`), 'TOKEN_TAMPERED'],
    ['expired', handMade({ ...LINK, exp: NOW.getTime() / 1000 }), 'TOKEN_EXPIRED'],
    ['a session', handMade({ kind: 'session', video: 'v', profile: 'mobile', exp: EXP, nonce: 'n'.repeat(16), kid: 'acme' }), 'TOKEN_WRONG_KIND'],
  ];
  for (const [label, token, code] of cases) {
    assert.throws(() => verifyPlaybackToken(key, token, { now: NOW }), (error: unknown) => SharedErrors.is(error, code as 'TOKEN_MALFORMED'), label);
  }
  assert.doesNotThrow(() => verifyPlaybackToken(key, handMade({ ...LINK, video: 'v'.repeat(128), nonce: 'n'.repeat(64) }), { now: NOW }));
});
