import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patSection, pmtSection } from '../testing/builders.js';
import { parsePat } from './pat.js';
import { crc32Mpeg2 } from './section.js';
import { chooseCutTrack, parsePmt, STREAM_TYPE } from './pmt.js';

test('PAT: programs, version, network PID left out', () => {
  const parsed = parsePat(patSection([{ program: 0, pmtPid: 0x10 }, { program: 7, pmtPid: 0x1234 }], 5, 99));
  assert.deepEqual(parsed, { kind: 'ok', value: { transportStreamId: 99, version: 5, programs: [{ programNumber: 7, pmtPid: 0x1234 }] } });
});

test('PAT with a bad CRC is invalid', () => {
  const section = patSection([{ program: 1, pmtPid: 0x1000 }]);
  section[9] ^= 0x01;
  const parsed = parsePat(section);
  assert.equal(parsed.kind, 'invalid');
  assert.equal(parsed.kind === 'invalid' && parsed.code, 'PSI_INVALID');
});

test('PMT: streams with descriptors, PCR PID, version', () => {
  const section = pmtSection(
    [
      { type: STREAM_TYPE.AAC_ADTS, pid: 0x101, esInfo: [0x0a, 0x04, 0x65, 0x6e, 0x67, 0x00] },
      { type: STREAM_TYPE.H264, pid: 0x100 },
    ],
    { version: 3, pcrPid: 0x100, program: 1 },
  );
  const parsed = parsePmt(section);
  assert.equal(parsed.kind, 'ok');
  if (parsed.kind !== 'ok') return;
  assert.equal(parsed.value.version, 3);
  assert.equal(parsed.value.pcrPid, 0x100);
  assert.deepEqual(parsed.value.streams, [
    { streamType: STREAM_TYPE.AAC_ADTS, pid: 0x101 },
    { streamType: STREAM_TYPE.H264, pid: 0x100 },
  ]);
  assert.deepEqual(chooseCutTrack(parsed.value), { pid: 0x100, codec: 'h264' });
});

test('PMT: audio only cuts on AAC; unknown types give no cut track', () => {
  const audio = parsePmt(pmtSection([{ type: STREAM_TYPE.AAC_ADTS, pid: 0x101 }]));
  assert.ok(audio.kind === 'ok');
  assert.deepEqual(chooseCutTrack(audio.value), { pid: 0x101, codec: 'aac' });
  const other = parsePmt(pmtSection([{ type: 0x02, pid: 0x101 }]));
  assert.ok(other.kind === 'ok');
  assert.equal(chooseCutTrack(other.value), undefined);
});

test('PMT whose descriptor length overruns the section is invalid', () => {
  const section = pmtSection([{ type: STREAM_TYPE.H264, pid: 0x100, esInfo: [1, 0] }]);
  section[16] = 0x20; // ES_info_length low byte: far past the end
  const crc = crc32Mpeg2(section, 0, section.length - 4);
  section.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], section.length - 4);
  const parsed = parsePmt(section);
  assert.equal(parsed.kind === 'invalid' && parsed.reason, 'PMT: descriptor lengths overrun the section');
});
