/**
 * The compatibility run over the shared media folder (KILN_MEDIA_DIR): every file probed,
 * classified and normalized (mezzanines with x264 ultrafast to keep CI short; the whole file is
 * encoded, the longest is 95 s at 320×240). Each outcome is pinned to MANIFEST.md's facts, every
 * MP4 written must last as long as its source, and nothing is left behind. The expected outcomes
 * are @kiln/shared/testing's table, which the API's acceptance run (packages/api/src/uploads) checks too.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { before, test } from 'node:test';
import { SAMPLE_MEDIA_OUTCOMES as EXPECTED, listChildProcesses } from '@kiln/shared/testing';
import { runCompatibility, type CompatibilityRow } from '../testing/ingest-compatibility.js';

const ourTempDirs = async () => new Set((await readdir(tmpdir())).filter((name) => /^kiln-(compat|ingest)-/.test(name)));

let rows: CompatibilityRow[];
let tempBefore: Set<string>;

before(async () => {
  tempBefore = await ourTempDirs();
  rows = await runCompatibility({ mezzanine: { preset: 'ultrafast' } });
});

const summary = (row: CompatibilityRow): string =>
  row.outcome === 'accepted' ? `${row.plan?.kind} ${row.normalize}` : `${row.outcome} ${row.code} (${row.message})`;

test('every file of the folder is listed here, and each gets the outcome its manifest facts call for', () => {
  assert.deepEqual(rows.map((row) => row.file).sort(), Object.keys(EXPECTED).sort());
  const wrong = rows.filter((row) => !summary(row).startsWith(EXPECTED[row.file] ?? '?')).map((row) => `${row.file}: ${summary(row)}`);
  assert.deepEqual(wrong, []);
});

test('every MP4 written lasts as long as its source: 0.1 s, one output frame, or two for VFR', () => {
  const off = rows.filter((row) => row.outputDurationSeconds !== undefined).flatMap((row) => {
    const video = row.plan?.video;
    const frame = video === undefined ? 0 : video.frameRate.den / video.frameRate.num;
    // A VFR source's last frame has no known duration: the CFR output may hold it one frame longer.
    const tolerance = Math.max(0.1, frame * (video?.variableFrameRate === true ? 2 : 1)) + 1e-6;
    const difference = Math.abs((row.outputDurationSeconds ?? 0) - (row.plan?.durationSeconds ?? 0));
    return difference <= tolerance ? [] : [`${row.file}: ${row.plan?.durationSeconds} s → ${row.outputDurationSeconds} s`];
  });
  assert.deepEqual(off, []);
  assert.ok(rows.filter((row) => row.outputDurationSeconds !== undefined).length >= 30, 'most non-MP4 files were normalized');
});

test('audio-only files carry no video in their plan, cover art included', () => {
  for (const file of ['audio-only-mp3-with-cover-art.mp3', 'audio-only-aac.m4a', 'audio-only-2-tracks-ac3-aac.mp4']) {
    const plan = rows.find((row) => row.file === file)?.plan;
    assert.equal(plan?.video, undefined, file);
    assert.ok(plan?.audio !== undefined, file);
  }
});

test('no temp directory and no ffmpeg or ffprobe of ours is left', async () => {
  const left = [...(await ourTempDirs())].filter((name) => !tempBefore.has(name));
  assert.deepEqual(left, []);
  const tools = (await listChildProcesses()).filter((entry) => /ff(mpeg|probe)/.test(entry.commandLine));
  assert.deepEqual(tools, []);
});
