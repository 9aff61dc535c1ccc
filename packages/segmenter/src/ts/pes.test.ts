import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pes } from '../testing/builders.js';
import { parsePesHeader } from './pes.js';
import { readTimestamp, TIMESTAMP_MODULUS, TimestampUnwrapper, writeTimestamp } from './timestamp.js';

test('PTS and DTS keep all 33 bits', () => {
  const top = TIMESTAMP_MODULUS - 1;
  const bytes = pes(0xe0, new Uint8Array(4), top, 2 ** 32 + 5);
  const parsed = parsePesHeader(bytes, 0, bytes.length);
  assert.deepEqual(parsed, { kind: 'ok', value: { streamId: 0xe0, pts: top, dts: 2 ** 32 + 5, headerLength: 19 } });
});

test('a header without DTS reports DTS = PTS', () => {
  const bytes = pes(0xc0, new Uint8Array(4), 90_000);
  const parsed = parsePesHeader(bytes, 0, bytes.length);
  assert.ok(parsed.kind === 'ok');
  assert.equal(parsed.value.dts, 90_000);
  assert.equal(parsed.value.headerLength, 14);
});

test('a header cut short asks for more data, with the length it needs', () => {
  const bytes = pes(0xe0, new Uint8Array(4), 1, 1);
  assert.deepEqual(parsePesHeader(bytes, 0, 5), { kind: 'need-more-data', needed: 9 });
  assert.deepEqual(parsePesHeader(bytes, 0, 12), { kind: 'need-more-data', needed: 19 });
});

test('malformed headers are invalid with PES_INVALID', () => {
  const noPrefix = pes(0xe0, new Uint8Array(4), 1);
  noPrefix[2] = 2;
  const forbiddenFlags = pes(0xe0, new Uint8Array(4), 1);
  forbiddenFlags[7] = 0x40;
  const badMarker = pes(0xe0, new Uint8Array(4), 1);
  badMarker[13] &= 0xfe;
  for (const bytes of [noPrefix, forbiddenFlags, badMarker]) {
    const parsed = parsePesHeader(bytes, 0, bytes.length);
    assert.equal(parsed.kind === 'invalid' && parsed.code, 'PES_INVALID');
  }
});

test('readTimestamp rejects a field whose marker bits are 0', () => {
  const out = new Uint8Array(5);
  writeTimestamp(out, 0, 2, 12345);
  assert.equal(readTimestamp(out, 0), 12345);
  out[4] = 0;
  assert.equal(readTimestamp(out, 0), -1);
});

test('the unwrapper continues across the 33-bit wrap, both ways', () => {
  const unwrapper = new TimestampUnwrapper();
  const start = TIMESTAMP_MODULUS - 3000;
  assert.equal(unwrapper.unwrap(start), start);
  assert.equal(unwrapper.unwrap(600), TIMESTAMP_MODULUS + 600);
  // A B-frame displayed before the wrap, decoded after it.
  assert.equal(unwrapper.unwrap(TIMESTAMP_MODULUS - 1200), TIMESTAMP_MODULUS - 1200);
  assert.equal(unwrapper.unwrap(4200), TIMESTAMP_MODULUS + 4200);
});
