import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patSection, pmtSection } from '../testing/builders.js';
import { crc32Mpeg2, packetizeSection, SectionAssembler, sectionPacketCount } from './section.js';

test('CRC-32/MPEG-2 of "123456789" is the catalogued check value', () => {
  assert.equal(crc32Mpeg2(new TextEncoder().encode('123456789')), 0x0376e6e7);
});

test('a whole section including its CRC has CRC 0', () => {
  assert.equal(crc32Mpeg2(patSection([{ program: 1, pmtPid: 0x1000 }])), 0);
});

test('a section split over packets is reassembled', () => {
  const streams = Array.from({ length: 40 }, (_, i) => ({ type: 0x06, pid: 0x200 + i, esInfo: [0x0a, 0x04, 0x65, 0x6e, 0x67, 0x00] }));
  const section = pmtSection(streams);
  assert.ok(section.length > 184 * 2);
  const packets = packetizeSection(0x1000, section, 5);
  assert.equal(packets.length / 188, sectionPacketCount(section.length));
  const assembler = new SectionAssembler();
  const done: Uint8Array[] = [];
  for (let p = 0; p < packets.length; p += 188) {
    done.push(...assembler.push(packets, p + 4, p + 188, (packets[p + 1] & 0x40) !== 0));
  }
  assert.equal(done.length, 1);
  assert.deepEqual(done[0], section);
});

test('the pointer field skips the tail of the previous section', () => {
  const section = patSection([{ program: 1, pmtPid: 0x1000 }]);
  const payload = new Uint8Array(184).fill(0xff);
  payload.set([3, 0xaa, 0xbb, 0xcc]);
  payload.set(section, 4);
  const done = new SectionAssembler().push(payload, 0, 184, true);
  assert.deepEqual(done, [section]);
});

test('a continuation without a section in progress is ignored', () => {
  const assembler = new SectionAssembler();
  assert.deepEqual(assembler.push(new Uint8Array(184), 0, 184, false), []);
});
