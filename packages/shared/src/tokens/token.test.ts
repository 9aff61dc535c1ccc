import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { SharedErrors } from '../errors.js';
import { encodeBase64url } from './encoding.js';
import { keyId, signToken, verifyToken } from './token.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const NEW_SECRET = 'the-rotated-in-secret-also-32-bytes-long';
const NOW = new Date('2030-01-01T00:00:00Z');
const EXPIRES = new Date('2030-01-01T00:10:00Z');
const EXP = EXPIRES.getTime() / 1000;

function rejectsWith(code: 'TOKEN_MALFORMED' | 'TOKEN_TAMPERED' | 'TOKEN_EXPIRED', run: () => unknown, label?: string): void {
  assert.throws(run, (error: unknown) => SharedErrors.is(error, code) && error.httpStatus === 403, label);
}

function encodePayload(payload: unknown): string {
  return encodeBase64url(Buffer.from(JSON.stringify(payload)));
}

test('a signed token verifies and gives its claims, expiry and nonce back', () => {
  const token = signToken(SECRET, { video: 'v1' }, { expiresAt: EXPIRES });
  const verified = verifyToken(SECRET, token, { now: NOW });
  assert.deepEqual(verified.claims, { video: 'v1' });
  assert.equal(verified.exp, EXP);
  assert.match(verified.nonce, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(verified.kid, keyId(SECRET));
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
});

test('every token gets its own random nonce', () => {
  const nonces = new Set(Array.from({ length: 50 }, () => verifyToken(SECRET, signToken(SECRET, {}, { expiresAt: EXPIRES }), { now: NOW }).nonce));
  assert.equal(nonces.size, 50);
});

test('a token is valid until the second before exp, expired from exp on', () => {
  const token = signToken(SECRET, {}, { expiresAt: EXPIRES });
  assert.doesNotThrow(() => verifyToken(SECRET, token, { now: new Date(EXPIRES.getTime() - 1) }));
  rejectsWith('TOKEN_EXPIRED', () => verifyToken(SECRET, token, { now: EXPIRES }));
  rejectsWith('TOKEN_EXPIRED', () => verifyToken(SECRET, token, { now: new Date(EXPIRES.getTime() + 86_400_000) }));
  const fraction = signToken(SECRET, {}, { expiresAt: new Date(EXPIRES.getTime() + 999) });
  rejectsWith('TOKEN_EXPIRED', () => verifyToken(SECRET, fraction, { now: EXPIRES }), 'exp rounds down, never later');
});

test('expiry is only reported for a genuine token', () => {
  const token = signToken(SECRET, { video: 'v1' }, { expiresAt: EXPIRES });
  const [, signature] = token.split('.');
  const forged = `${encodePayload({ video: 'v2', exp: EXP, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', kid: keyId(SECRET) })}.${signature ?? ''}`;
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, forged, { now: EXPIRES }));
});

test('flipping any bit of any character is rejected, never accepted', () => {
  const token = signToken(SECRET, { video: 'v1', profile: 'mobile' }, { expiresAt: EXPIRES });
  let checked = 0;
  for (let index = 0; index < token.length; index += 1) {
    for (let bit = 0; bit < 8; bit += 1) {
      const flipped = String.fromCharCode(token.charCodeAt(index) ^ (1 << bit));
      const altered = `${token.slice(0, index)}${flipped}${token.slice(index + 1)}`;
      assert.throws(
        () => verifyToken(SECRET, altered, { now: NOW }),
        (error: unknown) => SharedErrors.is(error, 'TOKEN_TAMPERED') || SharedErrors.is(error, 'TOKEN_MALFORMED'),
        `character ${index}, bit ${bit}`,
      );
      checked += 1;
    }
  }
  assert.equal(checked, token.length * 8);
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, `${token}A`, { now: NOW }), 'a MAC one byte longer');
  const [payload = '', signature = ''] = token.split('.');
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, `${payload}.${signature.slice(0, 40)}`, { now: NOW }), 'a shorter MAC');
});

test('a token signed with another secret is tampered', () => {
  const token = signToken(NEW_SECRET, {}, { expiresAt: EXPIRES });
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, token, { now: NOW }));
  const [, signature] = token.split('.');
  const sameKidOtherKey = `${encodePayload({ exp: EXP, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', kid: keyId(SECRET) })}.${signature ?? ''}`;
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, sameKidOtherKey, { now: NOW }));
});

test('rotation: sign with the first secret, verify with any listed', () => {
  const old = signToken(SECRET, { n: 1 }, { expiresAt: EXPIRES });
  const rotated = [NEW_SECRET, SECRET];
  assert.deepEqual(verifyToken(rotated, old, { now: NOW }).claims, { n: 1 });
  const fresh = signToken(rotated, { n: 2 }, { expiresAt: EXPIRES });
  assert.equal(verifyToken(rotated, fresh, { now: NOW }).kid, keyId(NEW_SECRET));
  assert.deepEqual(verifyToken(NEW_SECRET, fresh, { now: NOW }).claims, { n: 2 });
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, fresh, { now: NOW }), 'the old secret alone');
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(NEW_SECRET, old, { now: NOW }), 'after the old one is dropped');
});

test('malformed tokens are told apart from tampered ones', () => {
  const good = signToken(SECRET, {}, { expiresAt: EXPIRES });
  const [payload = '', signature = ''] = good.split('.');
  const mac = (text: string): string => crypto.createHmac('sha256', SECRET).update(text).digest('base64url');
  const signed = (text: string): string => `${text}.${mac(text)}`;
  const cases: ReadonlyArray<[string, unknown]> = [
    ['empty', ''],
    ['not a string', 42],
    ['one part', payload],
    ['three parts', `${good}.${signature}`],
    ['empty signature', `${payload}.`],
    ['padding', `${payload}=.${signature}`],
    ['foreign character', `${payload}.${signature.slice(0, -1)}+`],
    ['not JSON', signed(encodeBase64url(Buffer.from('{exp:1')))],
    ['JSON but not an object', signed(encodePayload([1, 2]))],
    ['no exp', signed(encodePayload({ nonce: 'AAAAAAAAAAAAAAAAAAAAAA', kid: keyId(SECRET) }))],
    ['exp as text', signed(encodePayload({ exp: String(EXP), nonce: 'AAAAAAAAAAAAAAAAAAAAAA', kid: keyId(SECRET) }))],
    ['no nonce', signed(encodePayload({ exp: EXP, kid: keyId(SECRET) }))],
    ['too long', `${'A'.repeat(5000)}.${signature}`],
  ];
  for (const [label, token] of cases) rejectsWith('TOKEN_MALFORMED', () => verifyToken(SECRET, token, { now: NOW }), label);
});

test('base64url must be canonical: spare bits of the last character are not ignored', () => {
  const token = signToken(SECRET, {}, { expiresAt: EXPIRES });
  const [payload = '', signature = ''] = token.split('.');
  // 32 MAC bytes need 43 characters; the last carries 2 spare bits that Node would silently drop.
  const last = signature.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
  const twin = `${payload}.${signature.slice(0, -1)}${sibling}`;
  assert.deepEqual(Buffer.from(twin.split('.')[1] ?? '', 'base64url'), Buffer.from(signature, 'base64url'));
  rejectsWith('TOKEN_MALFORMED', () => verifyToken(SECRET, twin, { now: NOW }));
});

test('secrets and claims are checked when signing', () => {
  assert.throws(() => signToken('short', {}, { expiresAt: EXPIRES }), TypeError);
  assert.throws(() => signToken([], {}, { expiresAt: EXPIRES }), TypeError);
  assert.throws(() => signToken(SECRET, { exp: 1 }, { expiresAt: EXPIRES }), /may not set exp/);
  assert.throws(() => signToken(SECRET, {}, { expiresAt: new Date(Number.NaN) }), TypeError);
  assert.throws(() => verifyToken([SECRET, 'short'], 'x.y', { now: NOW }), TypeError);
});

test('a signing key signs with its own id as kid and verifies only where that id is listed', () => {
  const key = { id: 'acme-2030', secret: NEW_SECRET };
  const token = signToken(key, { n: 1 }, { expiresAt: EXPIRES });
  assert.equal((JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid, 'acme-2030');
  assert.equal(verifyToken([SECRET, key], token, { now: NOW }).kid, 'acme-2030');
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, token, { now: NOW }), 'an unknown kid');
  rejectsWith('TOKEN_TAMPERED', () => verifyToken([{ id: 'acme-2030', secret: SECRET }], token, { now: NOW }), 'the id with another secret');
  rejectsWith('TOKEN_TAMPERED', () => verifyToken({ id: 'acme-2031', secret: NEW_SECRET }, token, { now: NOW }), 'the secret under another id');
  const derived = signToken(NEW_SECRET, { n: 2 }, { expiresAt: EXPIRES });
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(key, derived, { now: NOW }), 'the same secret, its derived kid not listed');
});

test('an explicit id equal to a derived one: every key of that kid is tried', () => {
  const twin = { id: keyId(SECRET), secret: NEW_SECRET };
  const bySecret = signToken(SECRET, {}, { expiresAt: EXPIRES });
  const byTwin = signToken(twin, {}, { expiresAt: EXPIRES });
  assert.doesNotThrow(() => verifyToken([twin, SECRET], bySecret, { now: NOW }));
  assert.doesNotThrow(() => verifyToken([SECRET, twin], byTwin, { now: NOW }));
  rejectsWith('TOKEN_TAMPERED', () => verifyToken(SECRET, byTwin, { now: NOW }));
});

test('signing keys are checked like secrets: an id a kid can carry, a secret of 32 bytes', () => {
  for (const id of ['', 'a.b', 'x'.repeat(33), 'ключ']) {
    assert.throws(() => signToken({ id, secret: SECRET }, {}, { expiresAt: EXPIRES }), /key id/, JSON.stringify(id));
  }
  assert.throws(() => signToken({ id: 'k1', secret: 'short' }, {}, { expiresAt: EXPIRES }), /at least 32 bytes/);
  assert.throws(() => verifyToken([SECRET, { id: 'k1', secret: 'short' }], 'x.y', { now: NOW }), TypeError);
});
