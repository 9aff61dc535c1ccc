import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedErrors } from '../errors.js';
import { signPlaybackToken, signSessionToken, verifyPlaybackToken, verifySessionToken } from './kinds.js';
import { signToken } from './token.js';

const SECRETS = ['a-test-secret-of-at-least-32-bytes!!'];
const NOW = new Date('2030-01-01T00:00:00Z');
const EXPIRES = new Date('2030-01-01T01:00:00Z');

test('a playback token round-trips its claims', () => {
  const token = signPlaybackToken(SECRETS, { video: 'vid_1', profile: 'legacy', reusable: false }, { expiresAt: EXPIRES });
  const verified = verifyPlaybackToken(SECRETS, token, { now: NOW });
  assert.deepEqual(verified.claims, { kind: 'playback', video: 'vid_1', profile: 'legacy', reusable: false });
  assert.equal(verified.exp, EXPIRES.getTime() / 1000);
  assert.match(verified.nonce, /^[A-Za-z0-9_-]{22}$/);
});

test('a session token round-trips, with or without a worker', () => {
  const withWorker = signSessionToken(SECRETS, { video: 'vid_1', profile: 'desktop', worker: 'w-2' }, { expiresAt: EXPIRES });
  assert.deepEqual(verifySessionToken(SECRETS, withWorker, { now: NOW }).claims, {
    kind: 'session', video: 'vid_1', profile: 'desktop', worker: 'w-2',
  });
  const without = signSessionToken(SECRETS, { video: 'vid_1', profile: 'mobile' }, { expiresAt: EXPIRES });
  assert.deepEqual(verifySessionToken(SECRETS, without, { now: NOW }).claims, { kind: 'session', video: 'vid_1', profile: 'mobile' });
});

test('one kind is never accepted as the other', () => {
  const playback = signPlaybackToken(SECRETS, { video: 'v', profile: 'mobile', reusable: true }, { expiresAt: EXPIRES });
  const session = signSessionToken(SECRETS, { video: 'v', profile: 'mobile' }, { expiresAt: EXPIRES });
  const wrongKind = (error: unknown): boolean =>
    SharedErrors.is(error, 'TOKEN_WRONG_KIND');
  assert.throws(() => verifySessionToken(SECRETS, playback, { now: NOW }), wrongKind);
  assert.throws(() => verifyPlaybackToken(SECRETS, session, { now: NOW }), wrongKind);
  const untyped = signToken(SECRETS, { video: 'v', profile: 'mobile' }, { expiresAt: EXPIRES });
  assert.throws(() => verifySessionToken(SECRETS, untyped, { now: NOW }), wrongKind);
});

test('signed claims that do not fit the kind are malformed', () => {
  const cases = [
    { kind: 'playback', video: 'v', profile: 'tv', reusable: false },
    { kind: 'playback', video: '', profile: 'mobile', reusable: false },
    { kind: 'playback', video: 'v', profile: 'mobile' },
    { kind: 'playback', video: 'v', profile: 'mobile', reusable: false, admin: true },
    { kind: 'session', video: 'v', profile: 'mobile', worker: 7 },
  ];
  for (const claims of cases) {
    const token = signToken(SECRETS, claims, { expiresAt: EXPIRES });
    const verify = claims.kind === 'playback' ? verifyPlaybackToken : verifySessionToken;
    assert.throws(() => verify(SECRETS, token, { now: NOW }), (error: unknown) => SharedErrors.is(error, 'TOKEN_MALFORMED'), JSON.stringify(claims));
  }
});

test('typed tokens check their claims before signing', () => {
  assert.throws(
    () => signPlaybackToken(SECRETS, { video: 'v', profile: 'hd' as 'mobile', reusable: false }, { expiresAt: EXPIRES }),
    TypeError,
  );
});

test('typed verification keeps the envelope checks: expiry and tampering', () => {
  const token = signSessionToken(SECRETS, { video: 'v', profile: 'mobile' }, { expiresAt: EXPIRES });
  assert.throws(() => verifySessionToken(SECRETS, token, { now: EXPIRES }), (error: unknown) => SharedErrors.is(error, 'TOKEN_EXPIRED'));
  const other = ['another-secret-that-is-32-bytes-long!!'];
  assert.throws(() => verifySessionToken(other, token, { now: NOW }), (error: unknown) => SharedErrors.is(error, 'TOKEN_TAMPERED'));
});
