import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentRange, parseRangeHeader } from './http-range.js';

test('parseRangeHeader reads the single ranges ffmpeg sends', () => {
  assert.deepEqual(parseRangeHeader(undefined, 100), { kind: 'whole' });
  assert.deepEqual(parseRangeHeader('bytes=0-', 100), { kind: 'range', start: 0, end: 100 });
  assert.deepEqual(parseRangeHeader('bytes=10-19', 100), { kind: 'range', start: 10, end: 20 });
  assert.deepEqual(parseRangeHeader('bytes=90-500', 100), { kind: 'range', start: 90, end: 100 });
  assert.deepEqual(parseRangeHeader('bytes=-30', 100), { kind: 'range', start: 70, end: 100 });
  assert.deepEqual(parseRangeHeader('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRangeHeader('bytes=20-10', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRangeHeader('bytes=0-1,5-6', 100), { kind: 'whole' });
  assert.deepEqual(parseRangeHeader('items=0-1', 100), { kind: 'whole' });
});

test('contentRange writes inclusive ends, and */size for a 416', () => {
  assert.equal(contentRange({ start: 10, end: 20 }, 100), 'bytes 10-19/100');
  assert.equal(contentRange(undefined, 100), 'bytes */100');
});
