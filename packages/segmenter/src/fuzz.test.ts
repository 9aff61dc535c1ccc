/**
 * Fuzz: real TS (made by ffmpeg) and synthetic TS, mutated with bit flips, truncation, duplicated,
 * dropped and garbage bytes, fed in random chunk sizes. Bounded by an iteration count with a fixed
 * seed, so a failure replays. Asserts: nothing thrown, only registered recoverable issue codes,
 * no byte invented (output bodies are whole packets and never exceed the input), bounded segments.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { SEGMENTER_ERRORS, type SegmenterErrorCode } from './errors.js';
import { boundariesFromDurations } from './duration-boundaries.js';
import { Segmenter } from './segmenter.js';
import type { Segment } from './segment.js';
import { synthetic } from './testing/synthetic.js';

const ITERATIONS = 300;
const SEED = 0x6b696c6e; // "kiln"
const MAX_SEGMENT_BYTES = 64 * 1024;
let realTs = new Uint8Array(0);

before(async () => {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
      '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-c:a', 'aac', '-f', 'mpegts', '-'],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  realTs = new Uint8Array(stdout);
});

/** mulberry32: small, seedable, good enough to pick mutations. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  let bytes = input.slice();
  const packets = Math.floor(bytes.length / 188);
  for (let round = 1 + int(4); round > 0; round--) {
    const at = int(packets) * 188;
    switch (int(6)) {
      case 0: // bit flips
        for (let n = 1 + int(32); n > 0; n--) bytes[int(bytes.length)] ^= 1 << int(8);
        break;
      case 1: // truncation
        bytes = bytes.subarray(0, int(bytes.length));
        break;
      case 2: // a duplicated packet
        bytes = Uint8Array.from([...bytes.subarray(0, at + 188), ...bytes.subarray(at, at + 188), ...bytes.subarray(at + 188)]);
        break;
      case 3: // dropped packets
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 188 * (1 + int(5)))]);
        break;
      case 4: // garbage inside the stream
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...Array.from({ length: int(400) }, () => int(256)), ...bytes.subarray(at)]);
        break;
      default: // a run of sync bytes where none belong
        bytes.fill(0x47, at, Math.min(bytes.length, at + int(600)));
    }
  }
  return bytes;
}

function segmentAll(bytes: Uint8Array, rnd: () => number): { segments: Segment[]; segmenter: Segmenter } {
  const segmenter = new Segmenter({
    boundaryPts: boundariesFromDurations([1, 1, 2]),
    origin: rnd() < 0.5 ? 'relative' : 'absolute',
    maxSegmentBytes: MAX_SEGMENT_BYTES,
  });
  const segments: Segment[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 400 : 20_000));
    segments.push(...segmenter.push(bytes.slice(at, at + size)));
    at += size;
  }
  segments.push(...segmenter.flush());
  return { segments, segmenter };
}

function assertSane(input: Uint8Array, segments: readonly Segment[], issues: Partial<Record<SegmenterErrorCode, number>>, label: string): void {
  let body = 0;
  for (const s of segments) {
    const bodyBytes = s.byteLength - s.headerBytes;
    assert.equal(bodyBytes % 188, 0, `${label}: whole packets`);
    assert.ok(bodyBytes <= MAX_SEGMENT_BYTES + 20_000 + 188 * 8, `${label}: segment of ${bodyBytes} bytes`);
    for (const part of s.data.slice(s.headerBytes > 0 ? 1 : 0)) {
      for (let p = 0; p < part.length; p += 188) assert.equal(part[p], 0x47, `${label}: packet without sync byte`);
    }
    body += bodyBytes;
  }
  assert.ok(body <= input.length, `${label}: ${body} bytes out of ${input.length} in`);
  for (const code of Object.keys(issues) as SegmenterErrorCode[]) {
    assert.equal(SEGMENTER_ERRORS[code].recoverable, true, `${label}: ${code}`);
  }
}

test(`fuzz: ${ITERATIONS} mutated streams, typed recoveries only, bounded output`, () => {
  const sources = [realTs, synthetic({ frames: 150, audio: true }).bytes, synthetic({ codec: 'hevc', frames: 100 }).bytes];
  const rnd = random(SEED);
  const seen = new Set<string>();
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(sources[i % sources.length], rnd);
    const { segments, segmenter } = segmentAll(input, rnd);
    assertSane(input, segments, segmenter.stats.issues, `iteration ${i}`);
    for (const code of Object.keys(segmenter.stats.issues)) seen.add(code);
  }
  // The mutations must actually reach the recovery paths, or this test proves nothing.
  for (const code of ['SYNC_LOST', 'CONTINUITY_ERROR', 'TRUNCATED_PACKET']) assert.ok(seen.has(code), `never saw ${code}`);
});
