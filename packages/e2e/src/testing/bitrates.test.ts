import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviation } from './bitrates.js';

test('deviation is signed and relative to the declared value', () => {
  assert.equal(deviation(110, 100), 0.1);
  assert.equal(deviation(90, 100), -0.1);
});
