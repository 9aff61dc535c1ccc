/**
 * A split run's first-segment output closes while the main output has written little; one that cannot close
 * in time (its audio ends before the boundary and the source did not say so) is made again with one
 * output, from the same segment; a source that says so is not split at all. Real ffmpeg on local files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { listChildProcesses, makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { decodeFrames, makeSource, silentLog } from '../testing/harness.js';
import type { TranscodeFacts } from './transcode-facts.js';
import { probeSource } from './facts-cache.js';
import { findRendition } from './rendition.js';
import { TranscodeRun, type ClosedSegment } from './run.js';
import { localFileSource } from './source.js';

let dir: string;
let path: string;
let fullPath: string;

before(async () => {
  dir = await makeTempDir('run-test');
  // 60 s of video, 1 s of audio: the first output's audio ends before its boundary (2 s).
  path = await makeSource(dir, 60, { name: 'short-audio.mp4', rate: '30', audioSeconds: 1 });
  fullPath = await makeSource(dir);
});
after(() => removeTempDir(dir));

/** A split run of all of desktop-180p from `source`; `onSegment` is handed each segment with its run. */
function startWholeRun(facts: TranscodeFacts, source: string, onSegment: (run: TranscodeRun, segment: ClosedSegment) => void, onSpawn = (): void => undefined): TranscodeRun {
  const rendition = findRendition(facts, 'desktop-180p');
  return new TranscodeRun({ videoId: 'v', rendition, facts, from: 0, until: rendition.plan.segments.length }, {
    opener: localFileSource(() => source), log: silentLog, threads: 0, preset: 'ultrafast', firstSegmentAlone: true,
    mainSpoolBytes: 64 * 1024, onSegment, exists: () => false, onSpawn, onExit: () => undefined,
  });
}

async function assertNoFfmpegLeft(): Promise<void> {
  assert.deepEqual((await listChildProcesses()).filter((entry) => /ffmpeg/.test(entry.commandLine)), [], 'no ffmpeg left');
}

async function runWhole(facts: TranscodeFacts, source = path): Promise<{ run: TranscodeRun; segments: ClosedSegment[]; spawned: number }> {
  const segments: ClosedSegment[] = [];
  let spawned = 0;
  const run = startWholeRun(facts, source, (_, segment) => segments.push(segment), () => (spawned += 1));
  await run.done;
  await assertNoFfmpegLeft();
  assert.deepEqual(segments.map((segment) => segment.index), run.target.rendition.plan.segments.map((_, index) => index));
  return { run, segments, spawned };
}

test('the first-segment output closes while the main output has written under 64 KiB (of ~2 MB): its x264 holds no frame it is not pushed past', async () => {
  const probed = await probeSource(localFileSource(() => fullPath), 'v');
  const { run, segments, spawned } = await runWhole(probed, fullPath);
  assert.equal(run.state, 'finished', run.error?.message);
  assert.equal(spawned, 1, 'no second ffmpeg: the first-segment output was not overdue');
  assert.ok(segments.reduce((sum, segment) => sum + segment.bytes.length, 0) > 1024 * 1024);
  const frames = await decodeFrames(segments[0].bytes);
  assert.equal(frames.filter((frame) => frame.type === 'B').length, 0, 'segment 0 is the first output\'s');
});

test('a first-segment output that does not close before the main output runs ahead: the run is made again with one output', async () => {
  const probed = await probeSource(localFileSource(() => path), 'v');
  assert.ok(probed.audio?.duration !== undefined);
  const silentOnLength = { ...probed.audio, duration: undefined };
  const { run, segments, spawned } = await runWhole({ ...probed, audio: silentOnLength });
  assert.equal(run.state, 'finished', run.error?.message);
  assert.equal(spawned, 2, 'the split ffmpeg, then the one-output one');
  // The first segment comes from the one output, which has B-frames (desktop).
  assert.ok((await decodeFrames(segments[0].bytes)).some((frame) => frame.type === 'B'));
});

test('a source that says its audio ends before the boundary is not split', async () => {
  const probed = await probeSource(localFileSource(() => path), 'v');
  const { run, spawned } = await runWhole(probed);
  assert.equal(run.state, 'finished', run.error?.message);
  assert.equal(spawned, 1);
});

test('a run stopped and then paused in the same breath (the idle sweep, then a buffered segment past the run-ahead) still ends', async () => {
  const probed = await probeSource(localFileSource(() => fullPath), 'v');
  const made: number[] = [];
  const run = startWholeRun(probed, fullPath, (source, segment) => {
    made.push(segment.index);
    if (segment.index !== 1) return;
    source.stop('idle');
    source.pause();
  });
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)));
  const ended = await Promise.race([run.done.then(() => 'ended' as const), hung]);
  clearTimeout(timer);
  assert.equal(ended, 'ended', 'the run waited on a pause nobody would lift');
  assert.equal(run.state, 'stopped');
  assert.equal(run.endReason, 'idle');
  assert.deepEqual(made, [0, 1]);
  await assertNoFfmpegLeft();
});
