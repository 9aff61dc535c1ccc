/** Malformed and unusual input: typed, counted recoveries, never an escaping exception. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSegment } from './check.js';
import { boundariesFromDurations } from './duration-boundaries.js';
import type { SegmenterOptions } from './segment.js';
import { concat, packet, packetize, pat, pes, pmt, PMT_PID, STREAM_TYPE, VIDEO_PID, h264AccessUnit } from './testing/builders.js';
import { assertConservation, assertContinuity, packetsOf, pidOf, runSegmenter } from './testing/checks.js';
import { renumberContinuity, synthetic } from './testing/synthetic.js';
import { TIMESTAMP_MODULUS } from './ts/timestamp.js';

const relative: SegmenterOptions = { boundaryPts: boundariesFromDurations([2, 2, 3, 3, 4, 4, 5]), origin: 'relative' };
const durations = (bytes: Uint8Array, options = relative): number[] => runSegmenter(bytes, options).segments.map((s) => s.durationSeconds);

test('PTS wrapping past 2^33 mid-stream: cuts and durations carry on', () => {
  const stream = synthetic({ frames: 250, startPts: TIMESTAMP_MODULUS - 3 * 90_000 });
  const { segments, segmenter } = runSegmenter(stream.bytes, relative);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 3, 3]);
  assert.equal(segments[2].startPts, TIMESTAMP_MODULUS + 90_000, 'unwrapped');
  assert.deepEqual(segmenter.stats.issues, {});
});

test('absolute boundaries past 2^33 are met after the wrap', () => {
  const start = TIMESTAMP_MODULUS - 2 * 90_000;
  const stream = synthetic({ frames: 250, startPts: start });
  const options: SegmenterOptions = { boundaryPts: boundariesFromDurations([2, 2, 3, 3, 4, 4, 5], start), origin: 'absolute' };
  const { segments } = runSegmenter(stream.bytes, options);
  assert.deepEqual(segments.map((s) => s.index), [0, 1, 2, 3]);
  assert.ok(segments.every((s) => s.onSchedule));
});

test('a PMT version change that moves the video PID is followed', () => {
  const first = synthetic({ frames: 125 });
  const second = synthetic({ frames: 125, startPts: 126_000 + 125 * 3600, videoPid: 0x102, pmtVersion: 1 });
  const bytes = renumberContinuity(concat([first.bytes, second.bytes]));
  const { segments, segmenter } = runSegmenter(bytes, relative);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 3, 3]);
  assert.ok(segments.every((s) => s.startsWithKeyframe && s.onSchedule));
  assert.deepEqual(segmenter.stats.issues, {});
  assertConservation(packetsOf(bytes), segments);
  segments.forEach(assertContinuity);
});

test('adaptation-field-only and stuffing packets change nothing but are kept', () => {
  const stream = synthetic({ frames: 125 });
  const withStuffing: Uint8Array[] = [];
  for (const [i, p] of packetsOf(stream.bytes).entries()) {
    withStuffing.push(p);
    // An AF-only packet on the video PID keeps its counter (no payload), as PCR carriers do.
    if (i % 5 === 0 && pidOf(p) === VIDEO_PID) {
      const af = packet({ pid: VIDEO_PID, adaptationLength: 183, cc: p[3] & 0x0f });
      withStuffing.push(af);
    }
    if (i % 7 === 0) withStuffing.push(packet({ pid: 0x1fff, payload: new Uint8Array(184).fill(0xff) }));
  }
  const bytes = concat(withStuffing);
  const { segments, segmenter } = runSegmenter(bytes, relative, 1000);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 1]);
  assert.deepEqual(segmenter.stats.issues, {});
  assertConservation(withStuffing, segments);
});

test('PES spanning many packets, and a PES header split over two packets', () => {
  const packets: Uint8Array[] = [pat(PMT_PID), pmt([{ type: STREAM_TYPE.H264, pid: VIDEO_PID }])];
  for (let i = 0; i < 100; i++) {
    const bytes = pes(0xe0, h264AccessUnit(i % 25 === 0, 3000), 90_000 + i * 3600, 90_000 + i * 3600 - 3600);
    // The first packet carries only 5 bytes of the 19-byte header (the rest is adaptation stuffing).
    packets.push(packet({ pid: VIDEO_PID, pusi: true, cc: 0, payload: bytes.subarray(0, 5) }));
    packets.push(...packetize(VIDEO_PID, bytes.subarray(5)).map((p) => p.fill(p[1] & 0xbf, 1, 2)));
  }
  const bytes = renumberContinuity(concat(packets));
  const { segments, segmenter } = runSegmenter(bytes, relative, 4096);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2]);
  assert.deepEqual(segmenter.stats.issues, {});
});

test('garbage before and inside the stream is skipped and counted; one stray 0x47 does not resync', () => {
  const stream = synthetic({ frames: 125 });
  const packets = packetsOf(stream.bytes);
  const garbage = Uint8Array.from([0x47, 1, 2, 3, 0x47, 0x47, 9]);
  const bytes = concat([garbage, ...packets.slice(0, 150), garbage, ...packets.slice(150)]);
  for (const chunkSize of [100, 65536]) {
    const { segments, segmenter } = runSegmenter(bytes, relative, chunkSize);
    assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 1]);
    assert.equal(segmenter.stats.bytesSkipped, 2 * garbage.length);
    assert.equal(segmenter.stats.issues.SYNC_LOST, 2);
    assertConservation(packets, segments);
  }
});

test('a lost packet is a counted continuity error that resets only its PID', () => {
  const stream = synthetic({ frames: 125, frameBytes: 1000 });
  const packets = packetsOf(stream.bytes);
  // Drop a mid-PES packet of the video PID (not a PES start) in the first second.
  const victim = packets.findIndex((p, i) => i > 40 && pidOf(p) === VIDEO_PID && (p[1] & 0x40) === 0);
  const damaged = packets.filter((_, i) => i !== victim);
  const { segments, segmenter } = runSegmenter(concat(damaged), relative);
  assert.equal(segmenter.stats.issues.CONTINUITY_ERROR, 1);
  assert.deepEqual(segments.map((s) => s.durationSeconds), [2, 2, 1]);
  assertConservation(damaged, segments);
});

test('losing the IDR at a boundary moves the cut to the next one and says so', () => {
  const stream = synthetic({ frames: 150 });
  const packets = packetsOf(stream.bytes);
  const frameStarts = packets.flatMap((p, i) => (pidOf(p) === VIDEO_PID && (p[1] & 0x40) !== 0 ? [i] : []));
  const damaged = packets.filter((_, i) => i !== frameStarts[50]); // the IDR at 2 s
  const { segments, segmenter } = runSegmenter(concat(damaged), relative);
  assert.equal(segmenter.stats.issues.CONTINUITY_ERROR, 1);
  assert.equal(segments[0].durationSeconds, 3);
  assert.equal(segments[0].onSchedule, false);
  assert.equal(checkSegment(segments[0])?.code, 'SEGMENT_OFF_SCHEDULE');
  assertConservation(damaged, segments);
});

test('a packet flagged with a transport error is kept but not parsed: the IDR it carried is not cut on', () => {
  const stream = synthetic({ frames: 150 });
  const packets = packetsOf(stream.bytes);
  const frameStarts = packets.flatMap((p, i) => (pidOf(p) === VIDEO_PID && (p[1] & 0x40) !== 0 ? [i] : []));
  const flagged = packets.map((p, i) => (i === frameStarts[50] ? Uint8Array.from(p, (byte, at) => (at === 1 ? byte | 0x80 : byte)) : p));
  const { segments, segmenter } = runSegmenter(concat(flagged), relative);
  assert.equal(segments[0].durationSeconds, 3, 'the damaged IDR at 2 s is skipped; the cut waits for the next IDR');
  assert.equal(segmenter.stats.issues.CONTINUITY_ERROR, undefined, 'its counter still counts');
  assertConservation(flagged, segments);
});

test('duplicate packets are not continuity errors', () => {
  const packets = packetsOf(synthetic({ frames: 60 }).bytes);
  const duplicated = packets.flatMap((p, i) => (i === 50 ? [p, p] : [p]));
  const { segmenter, segments } = runSegmenter(concat(duplicated), relative);
  assert.deepEqual(segmenter.stats.issues, {});
  assertConservation(duplicated, segments);
});

test('a stream without a PMT is one uncut segment with PMT_MISSING', () => {
  const stream = synthetic({ frames: 125, noPmt: true });
  const logged: string[] = [];
  const options = { ...relative, logger: { warn: (obj: Record<string, unknown>) => logged.push(String(obj.code)) } };
  const { segments, segmenter } = runSegmenter(stream.bytes, options);
  assert.equal(segments.length, 1);
  assert.equal(segments[0].startsWithKeyframe, false);
  assert.equal(segmenter.stats.issues.PMT_MISSING, 1);
  assert.deepEqual(logged, ['PMT_MISSING']);
  assertConservation(packetsOf(stream.bytes), segments);
});

test('a stream with no IDR is never cut, and the segment says it is not a key frame', () => {
  const stream = synthetic({ frames: 125, keyFrames: new Set() });
  const { segments } = runSegmenter(stream.bytes, relative);
  assert.equal(segments.length, 1);
  assert.equal(checkSegment(segments[0])?.code, 'SEGMENT_NOT_KEYFRAME');
});

test('a segment larger than maxSegmentBytes is cut early: memory stays bounded', () => {
  const stream = synthetic({ frames: 125, keyFrames: new Set([0]) });
  const { segments, segmenter } = runSegmenter(stream.bytes, { ...relative, maxSegmentBytes: 10_000 }, 2048);
  assert.ok(segments.length >= 5);
  assert.ok(segments.every((s) => s.byteLength <= 10_000 + 2048 + 2 * 188));
  assert.ok(segments.slice(1).every((s) => s.forced && !s.onSchedule));
  assert.ok(segmenter.stats.issues.SEGMENT_TOO_LARGE! > 0);
  assertConservation(packetsOf(stream.bytes), segments);
});

test('a truncated last packet is dropped and counted', () => {
  const stream = synthetic({ frames: 60 });
  const { segmenter } = runSegmenter(stream.bytes.subarray(0, stream.bytes.length - 100), relative);
  assert.equal(segmenter.stats.issues.TRUNCATED_PACKET, 1);
});

test('a PSI section with a bad CRC is counted and ignored', () => {
  const stream = synthetic({ frames: 60, psiEvery: 20 });
  const packets = packetsOf(stream.bytes.slice());
  const pmtPackets = packets.filter((p) => pidOf(p) === PMT_PID);
  pmtPackets[1][20] ^= 0xff; // inside the second PMT's section
  const { segments, segmenter } = runSegmenter(concat(packets), relative);
  assert.equal(segmenter.stats.issues.PSI_INVALID, 1);
  assert.deepEqual(durations(stream.bytes), segments.map((s) => s.durationSeconds));
});
