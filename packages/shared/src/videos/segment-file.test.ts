import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEGMENT_NUMBER, parseSegmentFileName, segmentFileName } from './segment-file.js';

test('segment n is named n.ts and the name reads back as n', () => {
  for (const index of [0, 1, 7, 10, 123, MAX_SEGMENT_NUMBER]) {
    assert.equal(segmentFileName(index), `${index}.ts`);
    assert.equal(parseSegmentFileName(segmentFileName(index)), index);
  }
});

test('only canonical decimal names are segments: no leading zero, sign, exponent or tenth digit', () => {
  const refused = [
    '007.ts', '00.ts', '-1.ts', '+1.ts', '1e3.ts', '1.5.ts', '0x1.ts', ' 1.ts', '1 .ts', '.ts', '1.TS', '1.ts ', '1.m4s', '1',
    'abc.ts', '1/2.ts', `${MAX_SEGMENT_NUMBER + 1}.ts`, '99999999999999999999999.ts', `${'9'.repeat(400)}.ts`,
  ];
  for (const name of refused) assert.equal(parseSegmentFileName(name), undefined, name);
});

test('numbers no name may carry are refused when building', () => {
  for (const index of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SEGMENT_NUMBER + 1, 1e21]) {
    assert.throws(() => segmentFileName(index), RangeError, String(index));
  }
});
