import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concat, packet } from '../testing/builders.js';
import { findSync, payloadOffset, undecidedFrom } from './packet.js';

test('a packet without an adaptation field has its payload right after the header', () => {
  const p = packet({ pid: 0x1abc, pusi: true, cc: 13, payload: new Uint8Array(184), transportError: true });
  assert.equal(payloadOffset(p, 0), 4);
});

test('payload offset skips the adaptation field and its stuffing', () => {
  const p = packet({ pid: 0x100, payload: new Uint8Array(10) });
  assert.equal((p[3] >> 4) & 0x03, 3, 'adaptation field and payload');
  assert.equal(payloadOffset(p, 0), 188 - 10);
});

test('an adaptation-field-only packet has no payload', () => {
  const p = packet({ pid: 0x100, adaptationLength: 183 });
  assert.equal((p[3] >> 4) & 0x03, 2, 'adaptation field only');
  assert.equal(payloadOffset(p, 0), 188);
});

test('an adaptation field longer than the packet is invalid', () => {
  const p = packet({ pid: 0x100, payload: new Uint8Array(10) });
  p[4] = 184;
  assert.equal(payloadOffset(p, 0), -1);
  p[3] = (p[3] & 0xcf) | 0x20;
  p[4] = 184;
  assert.equal(payloadOffset(p, 0), -1);
});

test('findSync needs three sync bytes a packet apart', () => {
  const packets = concat([packet({ pid: 1 }), packet({ pid: 1 }), packet({ pid: 1 })]);
  // A stray 0x47 in the garbage is not enough on its own.
  const garbage = Uint8Array.from([1, 2, 0x47, 4, 5]);
  const buf = concat([garbage, packets]);
  assert.equal(findSync(buf, 0, buf.length, false), garbage.length);
});

test('findSync reports undecided bytes when the lookahead runs out, and accepts fewer at the end', () => {
  const buf = concat([Uint8Array.from([9, 9]), packet({ pid: 1 }), packet({ pid: 1 })]);
  const result = findSync(buf, 0, buf.length, false);
  assert.ok(result < 0);
  assert.equal(undecidedFrom(result), 2);
  assert.equal(findSync(buf, 0, buf.length, true), 2);
});

test('findSync with no sync byte at all keeps nothing', () => {
  const buf = new Uint8Array(1000).fill(0x12);
  assert.equal(undecidedFrom(findSync(buf, 0, buf.length, false)), 1000);
});
