import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeHeader } from './range-server.js';

test('Range headers as ffmpeg sends them', () => {
  assert.deepEqual(parseRangeHeader(undefined, 100), { start: 0, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=0-', 100), { start: 0, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=90-200', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-10', 100), { start: 90, end: 99 });
  assert.equal(parseRangeHeader('bytes=100-', 100), undefined);
  assert.equal(parseRangeHeader('bytes=5-2', 100), undefined);
  assert.equal(parseRangeHeader('items=0-1', 100), undefined);
});
