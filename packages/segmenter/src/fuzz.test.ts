/**
 * Fuzz: real TS (made by ffmpeg) and synthetic TS, mutated with bit flips, truncation, duplicated,
 * dropped and garbage bytes, fed in random chunk sizes. Bounded by an iteration count with a fixed
 * seed, so a failure replays. Asserts: nothing thrown, only registered recoverable issue codes,
 * no byte invented (output bodies are whole packets and never exceed the input), bounded segments.
 * The fast-check properties aim at the fields the segmenter reads (ts-mutations.ts), through
 * segmentStream and Segmenter.push, each case within a deadline; `KILN_FUZZ_RUNS` runs longer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { SEGMENTER_ERRORS, type SegmenterErrorCode } from './errors.js';
import { boundariesFromDurations } from './duration-boundaries.js';
import { Segmenter } from './segmenter.js';
import type { Segment, SegmenterStats } from './segment.js';
import { segmentStream } from './stream.js';
import { checkFuzz, fuzzRuns, withDeadline } from '@kiln/shared/testing';
import { synthetic } from './testing/synthetic.js';
import { applyTsMutations, chunkSizes, tsMutations } from './testing/ts-mutations.js';

const ITERATIONS = fuzzRuns(300);
const SEED = 0x6b696c6e; // "kiln"
const MAX_SEGMENT_BYTES = 64 * 1024;
/**
 * A case's time budget grows with its work: ~100 KB take a few ms in large chunks, and ~3 µs a
 * chunk in 1-byte ones (measured). Ten times that, so a loaded CI machine passes and a hang or a
 * quadratic path does not.
 */
const caseBudgetMs = (chunks: number, bytes: number): number => 1000 + 0.03 * chunks + 0.001 * bytes;
const MEMORY_SLACK = 32 * 1024 * 1024;
let realTs: Uint8Array = new Uint8Array(0);
let realHevc: Uint8Array = new Uint8Array(0);
let realAudio: Uint8Array = new Uint8Array(0);

async function ffmpegTs(inputs: readonly string[], codecs: readonly string[]): Promise<Uint8Array> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-nostdin', ...inputs, '-t', '3', ...codecs, '-force_key_frames', 'expr:gte(t,n_forced*1)', '-f', 'mpegts', '-'],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  return new Uint8Array(stdout);
}

before(async () => {
  const video = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25'];
  const sine = ['-f', 'lavfi', '-i', 'sine=sample_rate=48000'];
  [realTs, realHevc, realAudio] = await Promise.all([
    ffmpegTs([...video, ...sine], ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']),
    ffmpegTs(video, ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error']),
    ffmpegTs(sine, ['-c:a', 'aac']),
  ]);
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

/** `input` cut in chunks of the given sizes, taken in turn. */
function chunked(input: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0, i = 0; at < input.length; at += sizes[i++ % sizes.length]) chunks.push(input.slice(at, at + sizes[i % sizes.length]));
  return chunks;
}

/** Feeds the chunks through segmentStream or push/flush. */
async function segmentChunks(chunks: readonly Uint8Array[], viaStream: boolean, origin: 'relative' | 'absolute') {
  const segmenter = new Segmenter({ boundaryPts: boundariesFromDurations([1, 1, 2]), origin, maxSegmentBytes: MAX_SEGMENT_BYTES });
  const segments: Segment[] = [];
  if (viaStream) for await (const segment of segmentStream(chunks, segmenter)) segments.push(segment);
  else segments.push(...chunks.flatMap((chunk) => segmenter.push(chunk)), ...segmenter.flush());
  return { segments, stats: segmenter.stats };
}

function checkCase(input: Uint8Array, segments: readonly Segment[], stats: SegmenterStats, memoryBefore: number): void {
  assertSane(input, segments, stats.issues, 'case');
  assert.equal(stats.bytesIn, input.length, 'every byte counted in');
  assert.ok(stats.packets * 188 + stats.bytesSkipped <= input.length, 'no packet invented');
  const grown = process.memoryUsage().arrayBuffers - memoryBefore;
  assert.ok(grown <= 8 * input.length + MEMORY_SLACK, `held ${grown} more bytes for a ${input.length}-byte input`);
}

test('fuzz (fast-check): real TS damaged where the segmenter reads, through segmentStream and push', async (t) => {
  const sources = [realTs, realHevc, realAudio];
  const seen = new Set<string>();
  const cases = fc.tuple(fc.nat({ max: sources.length - 1 }), tsMutations, chunkSizes, fc.boolean(), fc.constantFrom('relative' as const, 'absolute' as const));
  const property = fc.asyncProperty(cases, async ([source, edits, sizes, viaStream, origin]) => {
    const input = applyTsMutations(sources[source], edits);
    const chunks = chunked(input, sizes);
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const budget = caseBudgetMs(chunks.length, input.length);
    const { segments, stats } = await withDeadline(() => segmentChunks(chunks, viaStream, origin), budget, 'segmenter');
    checkCase(input, segments, stats, memoryBefore);
    for (const code of Object.keys(stats.issues)) seen.add(code);
  });
  await checkFuzz(t, property, 400);
  t.diagnostic(`issues seen: ${[...seen].sort().join(' ')}`);
  for (const code of ['SYNC_LOST', 'CONTINUITY_ERROR', 'ADAPTATION_FIELD_INVALID', 'PES_INVALID', 'TRUNCATED_PACKET']) assert.ok(seen.has(code), `never saw ${code}`);
});
