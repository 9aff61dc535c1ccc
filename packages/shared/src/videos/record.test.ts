import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '../schedule/index.js';
import { isVideoId, newVideoId, uploadObjectKey } from './keys.js';
import { recordFromFields, recordToFields, type VideoRecord } from './record.js';

test('a record survives its hash form, in every state', () => {
  const base: VideoRecord = { id: 'v1', state: 'uploading', sourceKey: 'sources/v1.mp4', size: 0, duration: rational(0), hasAudio: false, createdAt: 5 };
  const ready: VideoRecord = {
    ...base, state: 'ready', size: 10, duration: rational(1001, 100), hasAudio: true,
    picture: { width: 320, height: 240, rotation: 90, frameRate: rational(30000, 1001) },
  };
  const failed: VideoRecord = { ...base, state: 'failed', error: { code: 'UNSUPPORTED_CODEC', message: 'no decoder' } };
  for (const record of [base, { ...base, state: 'processing' as const }, ready, failed]) {
    assert.deepEqual(recordFromFields(recordToFields(record)), record);
  }
  assert.equal(recordFromFields({ ...recordToFields(base), state: 'lost' }), undefined);
});

test('generated ids are valid key parts and name their upload object', () => {
  const id = newVideoId();
  assert.ok(isVideoId(id));
  assert.notEqual(id, newVideoId());
  assert.equal(uploadObjectKey(id), `uploads/${id}`);
  assert.equal(isVideoId('../etc'), false);
});
