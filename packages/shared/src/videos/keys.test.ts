import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSegmentObjectKey, segmentObjectKey } from './keys.js';

test('a segment object key reads back as its rendition and number', () => {
  for (const [rendition, index] of [['desktop-720p', 0], ['mobile-audio-128k', 41], ['r', 999_999_999]] as const) {
    const key = segmentObjectKey('v1', rendition, index);
    assert.equal(key, `segments/v1/${rendition}/${index}.ts`);
    assert.deepEqual(parseSegmentObjectKey('v1', key), { renditionId: rendition, index });
  }
});

test('keys that are not a segment of that video read back as undefined', () => {
  const others = [
    'segments/v1/r/007.ts', 'segments/v1/r/-1.ts', 'segments/v1/r/1e3.ts', 'segments/v1/r/1000000000.ts', 'segments/v1/r/x.ts',
    'segments/v1/0.ts', 'segments/v1//0.ts', 'segments/v2/r/0.ts', 'segments/v10/r/0.ts', 'sources/v1.mp4', 'segments/v1/r/0.ts.tmp',
  ];
  for (const key of others) assert.equal(parseSegmentObjectKey('v1', key), undefined, key);
});

test('a number no file name may carry makes no key', () => {
  assert.throws(() => segmentObjectKey('v1', 'r', -1), RangeError);
});
