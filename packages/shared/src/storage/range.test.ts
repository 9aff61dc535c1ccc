import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedErrors } from '../errors.js';
import { bytesToKeep, parseContentRange, resolveRange, toHttpRange } from './range.js';

const isCode = (code: 'STORAGE_INVALID_RANGE' | 'STORAGE_FAILED') => (error: unknown) => SharedErrors.is(error, code);

describe('resolveRange', () => {
  test('selects inclusive byte positions and cuts an end past the object', () => {
    assert.deepEqual(resolveRange({ start: 0, end: 0 }, 10), { start: 0, end: 0 });
    assert.deepEqual(resolveRange({ start: 3 }, 10), { start: 3, end: 9 });
    assert.deepEqual(resolveRange({ start: 9, end: 50 }, 10), { start: 9, end: 9 });
  });

  test('a start at or past the end is STORAGE_INVALID_RANGE, also for an empty object', () => {
    assert.throws(() => resolveRange({ start: 10 }, 10), isCode('STORAGE_INVALID_RANGE'));
    assert.throws(() => resolveRange({ start: 0 }, 0), isCode('STORAGE_INVALID_RANGE'));
  });

  test('malformed ranges are STORAGE_INVALID_RANGE before any size is known', () => {
    for (const range of [{ start: -1 }, { start: 2, end: 1 }, { start: 0.5 }, { start: Number.NaN }, { start: 0, end: Infinity }]) {
      assert.throws(() => toHttpRange(range), isCode('STORAGE_INVALID_RANGE'), JSON.stringify(range));
    }
  });
});

describe('toHttpRange', () => {
  test('writes closed and open-ended ranges', () => {
    assert.equal(toHttpRange({ start: 0, end: 0 }), 'bytes=0-0');
    assert.equal(toHttpRange({ start: 1024 }), 'bytes=1024-');
  });
});

describe('parseContentRange', () => {
  test('reads start, end and size, or nothing from a malformed header', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1234'), { start: 0, end: 99, size: 1234 });
    assert.deepEqual(parseContentRange('bytes 5-9/*'), { start: 5, end: 9, size: undefined });
    assert.equal(parseContentRange('bytes */1234'), undefined);
    assert.equal(parseContentRange(undefined), undefined);
  });
});

describe('bytesToKeep', () => {
  test('keeps everything when the server sent what was asked', () => {
    assert.equal(bytesToKeep({ start: 5, end: 9 }, 'bytes 5-9/20'), undefined);
    assert.equal(bytesToKeep({ start: 5, end: 100 }, 'bytes 5-19/20'), undefined);
    assert.equal(bytesToKeep({ start: 5 }, 'bytes 5-19/20'), undefined);
  });

  test('cuts a longer answer (s3rver reads bytes=0-0 as the whole object)', () => {
    assert.equal(bytesToKeep({ start: 0, end: 0 }, 'bytes 0-19/20'), 1);
    assert.equal(bytesToKeep({ start: 0, end: 3 }, undefined), 4);
  });

  test('refuses bytes that start elsewhere', () => {
    assert.throws(() => bytesToKeep({ start: 5, end: 9 }, 'bytes 0-19/20'), isCode('STORAGE_FAILED'));
    assert.throws(() => bytesToKeep({ start: 5 }, undefined), isCode('STORAGE_FAILED'));
  });
});
