/**
 * Fuzz: small real MP4/MOV files from the sample media folder, damaged by fast-check (byte flips,
 * overwrites, truncation; box sizes, 64-bit sizes, duplicated/deleted/renamed boxes, chunk offset
 * tables that lie), opened with openFastStartView as production does and consumed in full. Each
 * case ends in a sound view (view-oracle.ts) or a SourceError, within a deadline, reading only
 * inside the source and allocating at most a few times its size. `KILN_FUZZ_RUNS` runs longer.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { checkFuzz, makeTempDir, removeTempDir, sampleMediaFile, withDeadline } from '@kiln/shared/testing';
import { SourceErrors, type SourceErrorCode } from './errors.js';
import { PREFIX_READ_BYTES } from './scan.js';
import { openFastStartView } from './open.js';
import { applyMutations, boxMutation, byteMutation, mp4Mutations, padBeforeMoov, type Mp4Mutation } from '../testing/mp4-mutations.js';
import { strictRangeReader } from '../testing/strict-reader.js';
import { checkView, type ViewConsumer } from '../testing/view-oracle.js';

const FILES = [
  'audio-only-2-tracks-ac3-aac.mp4', // moov at the end, two tracks
  'h264-noaudio-720p-1s.mp4', // moov at the end, one video track
  'hevc-main10-iphone-dolbyvision-rot90.mov', // QuickTime: a wide box, moov at the end
  'hevc-aac.mp4', // moov first
  'fmp4-h264-aac.mp4', // fragmented
];
/** A case reads ~100 KB in a few ms; a hang or a quadratic walk shows as seconds. */
const CASE_DEADLINE_MS = 2000;
/** Memory a case may hold beyond a few copies of its input (reads are views, so this is the parsers'). */
const MEMORY_SLACK = 32 * 1024 * 1024;

let sources: Buffer[] = [];
let dir = '';
before(async () => {
  sources = await Promise.all(FILES.map((name) => readFile(sampleMediaFile(name))));
  dir = await makeTempDir('fuzz-source');
});
after(() => removeTempDir(dir));

type Outcome = 'view' | SourceErrorCode;

/** Opens and consumes one mutated file; the outcome, or an exception that fails the property. */
async function openMutated(bytes: Buffer, consumer: ViewConsumer): Promise<Outcome> {
  const reader = strictRangeReader(bytes);
  const memoryBefore = process.memoryUsage().arrayBuffers;
  let outcome: Outcome = 'view';
  try {
    await checkView(await openFastStartView(reader), bytes, consumer);
  } catch (error) {
    if (!SourceErrors.is(error)) throw error;
    outcome = error.code;
  }
  const grown = process.memoryUsage().arrayBuffers - memoryBefore;
  assert.ok(grown <= 8 * bytes.length + MEMORY_SLACK, `held ${grown} more bytes for a ${bytes.length}-byte input`);
  // The scan's prefix, tail and moov, then the view consumed twice.
  assert.ok(reader.stats.bytes <= 5 * bytes.length, `read ${reader.stats.bytes} bytes of a ${bytes.length}-byte input`);
  return outcome;
}

const consumer = fc.oneof(
  fc.record({ kind: fc.constant('stream' as const), chunkBytes: fc.integer({ min: 1000, max: 70_000 }) }),
  fc.constant({ kind: 'write' as const }),
);

/** Runs mutated copies of every file through openMutated; says which outcomes it saw. */
async function fuzzOpen(t: TestContext, mutations: fc.Arbitrary<Mp4Mutation[]>, runs: number): Promise<Map<Outcome, number>> {
  const outcomes = new Map<Outcome, number>();
  const cases = fc.tuple(fc.nat({ max: FILES.length - 1 }), mutations, consumer);
  const property = fc.asyncProperty(cases, async ([file, edits, use]) => {
    const bytes = applyMutations(sources[file], edits);
    const target: ViewConsumer = use.kind === 'write' ? { kind: 'write', path: join(dir, 'view') } : use;
    const outcome = await withDeadline(() => openMutated(bytes, target), CASE_DEADLINE_MS, FILES[file]);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  });
  await checkFuzz(t, property, runs);
  t.diagnostic(`outcomes: ${[...outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`);
  return outcomes;
}

test('fuzz: flipped, overwritten and truncated real files open to a sound view or a SourceError', async (t) => {
  const outcomes = await fuzzOpen(t, mp4Mutations(byteMutation), 300);
  // Both ends must be reached, or the property proves little.
  assert.ok(outcomes.has('view') && outcomes.has('SOURCE_TRUNCATED'), [...outcomes.keys()].join(' '));
});

test('fuzz: box sizes, 64-bit sizes, duplicated, deleted and renamed boxes, lying chunk tables', async (t) => {
  const outcomes = await fuzzOpen(t, mp4Mutations(boxMutation), 500);
  assert.ok(outcomes.has('view') && outcomes.has('SOURCE_MOOV_INVALID') && outcomes.has('SOURCE_BOX_INVALID'), [...outcomes.keys()].join(' '));
});

test('fuzz: byte and box damage together', async (t) => {
  const outcomes = await fuzzOpen(t, mp4Mutations(fc.oneof(byteMutation, boxMutation)), 300);
  assert.ok(outcomes.size >= 3, [...outcomes.keys()].join(' '));
});

test('fuzz: a free box before a moov at the end, wherever it puts the moov, keeps the file sound', async (t) => {
  // Moov starts around the end of the first read, where a header is cut in two, and anywhere else.
  const moovAt = fc.oneof(fc.integer({ min: PREFIX_READ_BYTES - 16, max: PREFIX_READ_BYTES + 16 }), fc.nat({ max: 3 * PREFIX_READ_BYTES }));
  const cases = fc.tuple(fc.nat({ max: FILES.length - 1 }), moovAt, consumer);
  let padded = 0;
  const property = fc.asyncProperty(cases, async ([file, at, use]) => {
    const bytes = padBeforeMoov(sources[file], at);
    if (bytes === undefined) return;
    padded++;
    const target: ViewConsumer = use.kind === 'write' ? { kind: 'write', path: join(dir, 'view') } : use;
    assert.equal(await withDeadline(() => openMutated(bytes, target), CASE_DEADLINE_MS, FILES[file]), 'view');
  });
  await checkFuzz(t, property, 200);
  t.diagnostic(`${padded} cases had a moov at the end to move`);
  assert.ok(padded > 0);
});
