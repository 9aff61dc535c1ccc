import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnError, SharedErrors, defineErrors, errorCode } from './errors.js';

test('a registry error carries its code, status and default message', () => {
  const error = SharedErrors.create('TOKEN_EXPIRED');
  assert.ok(error instanceof KilnError);
  assert.equal(error.code, 'TOKEN_EXPIRED');
  assert.equal(error.httpStatus, 403);
  assert.equal(error.message, 'the token has expired');
  assert.ok(SharedErrors.is(error, 'TOKEN_EXPIRED'));
  assert.ok(!SharedErrors.is(error, 'TOKEN_TAMPERED'));
});

test('server faults default to 500 and never answer their details', () => {
  const error = SharedErrors.create('FFMPEG_FAILED', 'exit 1', { details: { stderr: 'secret path' } });
  assert.equal(error.httpStatus, 500);
  assert.deepEqual(error.toJSON(), { code: 'FFMPEG_FAILED', message: 'exit 1' });
});

test('client errors answer their details', () => {
  const error = SharedErrors.create('STORAGE_INVALID_KEY', undefined, { details: { key: '../x' } });
  assert.deepEqual(error.toJSON(), {
    code: 'STORAGE_INVALID_KEY',
    message: 'that object key is not allowed',
    details: { key: '../x' },
  });
});

test('codes must be SCREAMING_SNAKE', () => {
  assert.throws(() => defineErrors({ notGood: { message: 'x' } }), /SCREAMING_SNAKE/);
});

test('errorCode maps foreign errors to INTERNAL', () => {
  assert.equal(errorCode(new Error('x')), 'INTERNAL');
  assert.equal(errorCode(SharedErrors.create('CONFIG_INVALID')), 'CONFIG_INVALID');
});
