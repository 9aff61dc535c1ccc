import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { constantTimeEqual, decodeBase64url, encodeBase64url } from './encoding.js';

test('base64url round-trips any bytes and refuses anything not canonical', () => {
  for (let length = 0; length < 40; length += 1) {
    const bytes = crypto.randomBytes(length);
    assert.deepEqual(decodeBase64url(encodeBase64url(bytes)), bytes);
  }
  assert.equal(decodeBase64url('AB'), undefined, 'spare bits set');
  assert.deepEqual(decodeBase64url('AA'), Buffer.from([0]));
  assert.equal(decodeBase64url('AA=='), undefined, 'padding');
  assert.equal(decodeBase64url('A+/A'), undefined, 'plain base64 alphabet');
  assert.equal(decodeBase64url('AAAAA'), undefined, 'a length no bytes have');
  assert.equal(decodeBase64url('AA AA'), undefined);
});

test('constantTimeEqual compares bytes and does not throw on unequal lengths', () => {
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc')), true);
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd')), false);
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abcd')), false);
  assert.equal(constantTimeEqual(Buffer.alloc(0), Buffer.from('a')), false);
  assert.throws(() => crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abcd')), 'the raw call would throw');
});

test('constantTimeEqual goes through crypto.timingSafeEqual, whatever the lengths', () => {
  const spy = mock.method(crypto, 'timingSafeEqual');
  try {
    constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'));
    constantTimeEqual(Buffer.from('abc'), Buffer.from('ab'));
    assert.equal(spy.mock.callCount(), 2);
  } finally {
    spy.mock.restore();
  }
});
