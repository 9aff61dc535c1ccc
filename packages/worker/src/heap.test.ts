import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { heapFlags } from './heap.js';

test('a heap growth becomes V8 flag --heap-growing-percent; 0 leaves V8 alone', () => {
  assert.deepEqual(heapFlags(100), ['--heap-growing-percent=100']);
  assert.deepEqual(heapFlags(0), []);
  assert.throws(() => heapFlags(-1), RangeError);
  assert.throws(() => heapFlags(1.5), RangeError);
});

test('this Node\'s V8 knows the flag (setFlagsFromString ignores one it does not know; the command line refuses it)', async () => {
  await promisify(execFile)(process.execPath, [...heapFlags(100), '-e', '0']);
  await assert.rejects(promisify(execFile)(process.execPath, ['--heap-growing-percent-misspelled=100', '-e', '0']));
});
