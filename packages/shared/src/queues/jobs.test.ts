import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobOptions, parseJob } from './jobs.js';

test('parseJob accepts the job union and refuses anything else', () => {
  assert.deepEqual(parseJob({ type: 'ingest', videoId: 'abc' }), { type: 'ingest', videoId: 'abc' });
  assert.deepEqual(parseJob({ type: 'pretranscode', videoId: 'abc', profiles: ['mobile'] }), { type: 'pretranscode', videoId: 'abc', profiles: ['mobile'] });
  assert.equal(parseJob({ type: 'pretranscode', videoId: 'abc', profiles: ['tv'] }), undefined);
  assert.equal(parseJob({ type: 'ingest', videoId: '../x' }), undefined);
  assert.equal(parseJob({ type: 'delete', videoId: 'abc' }), undefined);
  assert.deepEqual(parseJob({ type: 'retention' }), { type: 'retention' });
  assert.equal(parseJob(null), undefined);
});

test('a job id names the type and the video, so a second enqueue is a no-op', () => {
  assert.equal(jobOptions({ type: 'ingest', videoId: 'abc' }).jobId, 'ingest-abc');
  assert.notEqual(jobOptions({ type: 'pretranscode', videoId: 'abc', profiles: [] }).jobId, 'ingest-abc');
});
