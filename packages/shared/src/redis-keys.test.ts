import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedisKeys } from './redis-keys.js';

test('keys are namespaced by the prefix', () => {
  const keys = createRedisKeys('kiln');
  assert.equal(keys.workerLoad('w-1'), 'kiln:worker:w-1:load');
  assert.equal(keys.segmentIndex('v1', '720p'), 'kiln:segments:v1:720p');
  assert.equal(keys.bullPrefix, 'kiln:bull');
  assert.equal(createRedisKeys('staging').video('abc'), 'staging:video:abc');
});

test('ids that could alias or glob other keys are refused', () => {
  const keys = createRedisKeys();
  for (const bad of ['a:b', '*', 'a b', '', 'x'.repeat(129), 'v\n1']) {
    assert.throws(() => keys.video(bad), TypeError, bad);
  }
  assert.throws(() => createRedisKeys('Bad:Prefix'), TypeError);
});

test('every builder gives a distinct key for the same id', () => {
  const keys = createRedisKeys();
  const built = [keys.workerLoad('x'), keys.usedNonce('x'), keys.video('x'), keys.segmentIndex('x', 'x'), keys.sessionWorker('x'), keys.sourceFacts('x'), keys.workers(), keys.segmentsByAccess(), keys.segmentIndexPattern('x'), keys.retentionPending(),
    keys.workerReservations('x'), keys.resumableUpload('x'), keys.resumableUploads(), keys.resumableUploadLock('x'), keys.resumableUploadRelease('x'),
    keys.rateLimit('x', 'x'), keys.uploadsInProgress('x'), keys.resumableUploadOwner('x')];
  assert.equal(new Set(built).size, built.length);
});
