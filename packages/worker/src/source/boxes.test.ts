import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childBoxes, parseBoxHeader, writeBoxHeader } from './boxes.js';
import { box, box64 } from '../testing/mp4.js';

test('an 8-byte header gives type and size', () => {
  const result = parseBoxHeader(box('free', Buffer.alloc(4)), 0, 100, 1000);
  assert.deepEqual(result, { kind: 'ok', header: { type: 'free', start: 100, headerSize: 8, size: 12, toEnd: false } });
});

test('size32 = 1 reads the 64-bit size that follows', () => {
  const result = parseBoxHeader(box64('mdat', Buffer.alloc(5)), 0, 0, 1000);
  assert.deepEqual(result, { kind: 'ok', header: { type: 'mdat', start: 0, headerSize: 16, size: 21, toEnd: false } });
});

test('size32 = 0 runs to the end of the enclosing space', () => {
  const header = Buffer.from([0, 0, 0, 0, ...Buffer.from('mdat')]);
  const result = parseBoxHeader(header, 0, 40, 5000);
  assert.deepEqual(result, { kind: 'ok', header: { type: 'mdat', start: 40, headerSize: 8, size: 4960, toEnd: true } });
});

test('too few bytes for the header asks for more', () => {
  assert.deepEqual(parseBoxHeader(Buffer.from([0, 0, 0, 1, 0x6d, 0x64, 0x61, 0x74]), 0, 0, 100), { kind: 'need-more-data', bytes: 16 });
  assert.deepEqual(parseBoxHeader(Buffer.alloc(3), 0, 0, 100), { kind: 'need-more-data', bytes: 8 });
});

test('a size below the header size or an unreadable type is invalid', () => {
  const tiny = Buffer.from([0, 0, 0, 3, ...Buffer.from('free')]);
  assert.equal(parseBoxHeader(tiny, 0, 0, 100).kind, 'invalid');
  const binary = Buffer.from([0, 0, 0, 16, 0x47, 0x40, 0x11, 0x10]);
  assert.equal(parseBoxHeader(binary, 0, 0, 100).kind, 'invalid');
});

test('writeBoxHeader switches to 64 bits above 4 GiB', () => {
  assert.equal(writeBoxHeader('mdat', 100).length, 8);
  const large = writeBoxHeader('mdat', 2 ** 33);
  assert.equal(large.length, 16);
  assert.equal(large.readUInt32BE(0), 1);
  assert.equal(large.readBigUInt64BE(8), 2n ** 33n);
});

test('childBoxes tiles a payload and rejects a child that overruns it', () => {
  const payload = Buffer.concat([box('aaaa', Buffer.alloc(2)), box('bbbb')]);
  assert.deepEqual(childBoxes(payload, 0, payload.length).map((child) => [child.type, child.start, child.size]), [['aaaa', 0, 10], ['bbbb', 10, 8]]);
  assert.throws(() => childBoxes(payload, 0, payload.length - 1), /runs past/);
});
