import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_AUDIO_PES_BYTES } from './audio-pes.js';
import { boundariesFromDurations } from './duration-boundaries.js';
import { segmentBytes, type Segment } from './segment.js';
import { AUDIO_PID, PMT_PID } from './testing/builders.js';
import { assertContinuity, assertStartsWithPsi, packetsOf, pidOf, runSegmenter } from './testing/checks.js';
import { synthetic } from './testing/synthetic.js';
import { payloadOffset } from './ts/packet.js';
import { parsePesHeader } from './ts/pes.js';

const relative = { boundaryPts: boundariesFromDurations([2, 2, 3]), origin: 'relative' as const };

interface AudioPes {
  readonly pts: number;
  readonly payload: Uint8Array;
}

/** The audio PES packets of one segment: PTS and payload (ADTS frames). */
function audioPes(segment: Segment): AudioPes[] {
  const units: Uint8Array[][] = [];
  for (const p of packetsOf(segmentBytes(segment))) {
    if (pidOf(p) !== AUDIO_PID) continue;
    if ((p[1] & 0x40) !== 0) units.push([]);
    units.at(-1)?.push(p.subarray(payloadOffset(p, 0)));
  }
  return units.map((chunks) => {
    const bytes = Buffer.concat(chunks);
    const header = parsePesHeader(bytes, 0, bytes.length);
    assert.equal(header.kind, 'ok');
    if (header.kind !== 'ok') throw new Error('unreachable');
    assert.equal((bytes[4] << 8) | bytes[5], bytes.length - 6, 'PES_packet_length');
    return { pts: header.value.pts, payload: bytes.subarray(header.value.headerLength) };
  });
}

const audioBytes = (segment: Segment): Buffer => Buffer.concat(audioPes(segment).map((unit) => unit.payload));

// One ADTS frame (1920 ticks) per PES and one video frame per 1920 ticks: 46.875 fps, an IDR every 47 frames.
const stream = synthetic({ audio: true, frameTicks: 1920, keyEvery: 47, frames: 47 * 7 });

test('AAC frames are grouped per segment: fewer PES and packets, the same frames and first PTS', () => {
  const plain = runSegmenter(stream.bytes, relative).segments;
  const grouped = runSegmenter(stream.bytes, { ...relative, audioPesBytes: DEFAULT_AUDIO_PES_BYTES }).segments;
  assert.deepEqual(grouped.map((s) => s.index), plain.map((s) => s.index));
  plain.forEach((segment, k) => {
    const ours = grouped[k];
    assertStartsWithPsi(ours, PMT_PID);
    assertContinuity(ours);
    assert.deepEqual(audioBytes(ours), audioBytes(segment), `segment ${k}: every frame, in order`);
    assert.equal(audioPes(ours)[0]?.pts, audioPes(segment)[0]?.pts, `segment ${k} starts with its own audio`);
    assert.ok(audioPes(ours).length < audioPes(segment).length / 10, `segment ${k}: ${audioPes(ours).length} PES`);
    assert.ok(ours.byteLength < segment.byteLength && ours.headerBytes === segment.headerBytes);
  });
});

test('a group holds at most the given payload bytes, and each keeps the PTS of its first frame', () => {
  const [first] = runSegmenter(stream.bytes, { ...relative, audioPesBytes: 400 }).segments;
  const units = audioPes(first);
  assert.ok(units.every((unit) => unit.payload.length === 360), 'two 180-byte frames each');
  units.forEach((unit, i) => assert.equal(unit.pts, units[0].pts + i * 2 * 1920));
});

test('continuity counters run on across segments', () => {
  const grouped = runSegmenter(stream.bytes, { ...relative, audioPesBytes: DEFAULT_AUDIO_PES_BYTES }).segments;
  const counters = grouped.flatMap((s) => packetsOf(segmentBytes(s)).filter((p) => pidOf(p) === AUDIO_PID).map((p) => p[3] & 0x0f));
  counters.forEach((cc, i) => i > 0 && assert.equal(cc, (counters[i - 1] + 1) & 0x0f));
});

test('frames whose PTS does not follow on exactly are not grouped: each PES keeps its PTS and frames', () => {
  // Two frames (3840 ticks) per PES every 3600 ticks: grouping would move their timestamps.
  const gappy = synthetic({ audio: true, frames: 200 });
  const plain = runSegmenter(gappy.bytes, relative).segments;
  const grouped = runSegmenter(gappy.bytes, { ...relative, audioPesBytes: DEFAULT_AUDIO_PES_BYTES }).segments;
  assert.deepEqual(grouped.map(audioPes), plain.map(audioPes));
});
