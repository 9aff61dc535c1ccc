/**
 * A ladder run with real ffmpeg on a local file: renditions of two sizes, two profiles, two frame
 * rates and an audio-only one from one decode; every segment passes its plan's check and carries the
 * same timestamps as a single run of its rendition makes. Stopping it mid-run leaves no ffmpeg, and
 * the opening's niceness reaches every thread of its ffmpeg.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { planVideoSchedule, rational, runFfprobe } from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { decodeFrames, makeSource, silentLog } from '../testing/harness.js';
import { OPENING_NICENESS } from '../jobs/opening.js';
import { probeSource } from './facts-cache.js';
import { LadderRun, type LadderDependencies } from './ladder-run.js';
import type { ClosedSegment } from './output.js';
import { renditionsFor, type Rendition } from './rendition.js';
import { TranscodeRun } from './run.js';
import { localFileSource } from './source.js';
import type { TranscodeFacts } from './transcode-facts.js';

let dir: string;
let path: string;
let facts: TranscodeFacts;
let renditions: Rendition[];

before(async () => {
  dir = await makeTempDir('ladder-run-test');
  path = await makeSource(dir, 8, { size: '640x360', rate: '30', sampleRate: 44_100 });
  facts = await probeSource(localFileSource(() => path), 'v');
  const [small, large] = renditionsFor(facts, 'mobile');
  const [desktopSmall] = renditionsFor(facts, 'desktop');
  const [audio] = renditionsFor({ duration: facts.duration, ...(facts.audio === undefined ? {} : { audio: facts.audio }) }, 'mobile');
  assert.ok(small !== undefined && large !== undefined && desktopSmall !== undefined && audio !== undefined && small.rung.kind === 'video');
  // The same size at another frame rate: after the split, each output has its own fps filter.
  const slow: Rendition = { ...small, id: 'mobile-234p-at-24', rung: { ...small.rung, frameRate: rational(24) }, plan: planVideoSchedule(facts.duration, rational(24)) };
  renditions = [large, small, desktopSmall, slow, audio];
});
after(() => removeTempDir(dir));

function deps(onSegment: LadderDependencies['onSegment'], extra: Partial<LadderDependencies> = {}): LadderDependencies {
  return { opener: localFileSource(() => path), log: silentLog, threads: 1, preset: 'ultrafast', onSegment, onSpawn: () => undefined, onExit: () => undefined, ...extra };
}

async function assertNoFfmpegLeft(): Promise<void> {
  assert.deepEqual((await listChildProcesses()).filter((entry) => /ffmpeg/.test(entry.commandLine)), [], 'no ffmpeg left');
}

/** The timestamps a player sees in a segment: its video frames' PTS, or its audio packets'. */
async function timestamps(rendition: Rendition, bytes: Buffer): Promise<number[]> {
  if (rendition.rung.kind === 'video') return (await decodeFrames(bytes)).map((frame) => frame.pts);
  const { stdout } = await runFfprobe(['-v', 'error', '-protocol_whitelist', 'pipe', '-select_streams', 'a:0', '-show_entries', 'packet=pts', '-of', 'csv=p=0', 'pipe:0'], { input: bytes });
  return stdout.toString('utf8').trim().split('\n').map(Number);
}

async function singleRun(rendition: Rendition, until: number): Promise<ClosedSegment[]> {
  const segments: ClosedSegment[] = [];
  const run = new TranscodeRun({ videoId: 'v', rendition, facts, from: 0, until }, {
    opener: localFileSource(() => path), log: silentLog, threads: 1, preset: 'ultrafast',
    onSegment: (_, segment) => segments.push(segment), exists: () => false, onSpawn: () => undefined, onExit: () => undefined,
  });
  await run.done;
  assert.equal(run.state, 'finished', run.error?.message);
  return segments;
}

test('one decode makes every rendition; each segment is on plan and timed as a single run makes it', async () => {
  const until = 3;
  const made = new Map<string, ClosedSegment[]>(renditions.map((rendition) => [rendition.id, []]));
  const run = new LadderRun({ videoId: 'v', facts, renditions, from: 0, until }, deps((rendition, segment) => made.get(rendition.id)!.push(segment)));
  await run.done;
  await assertNoFfmpegLeft();
  for (const rendition of renditions) {
    const segments = made.get(rendition.id)!;
    assert.deepEqual(segments.map((segment) => segment.index), [0, 1, 2], rendition.id);
    const single = await singleRun(rendition, until);
    for (const [index, segment] of segments.entries()) {
      assert.deepEqual(await timestamps(rendition, segment.bytes), await timestamps(rendition, single[index].bytes), `${rendition.id} segment ${index}`);
    }
  }
  const frames = (id: string) => made.get(id)!.reduce((sum, segment) => sum + segment.mediaSeconds, 0);
  assert.ok(Math.abs(frames('mobile-234p-at-24') - frames('mobile-234p')) < 0.1, 'both frame rates cover the same time');
});

/** The nice value of every thread of a process (field 19 of /proc/<pid>/task/<tid>/stat). */
async function threadNiceness(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`);
  return Promise.all(tasks.map(async (tid) => {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  }));
}

test('stopped mid-run: no ffmpeg is left, done rejects as stopped; its ffmpeg ran at the opening niceness on every thread', async () => {
  let run: LadderRun | undefined;
  let niceness: number[] = [];
  const stopped = new Promise<void>((resolve) => {
    run = new LadderRun({ videoId: 'v', facts, renditions, from: 0, until: 4 }, deps((_, segment) => {
      if (segment.index !== 1 || niceness.length > 0) return;
      void threadNiceness(run!.pid!).then((values) => {
        niceness = values;
        run!.stop('test');
        resolve();
      });
    }, { niceness: OPENING_NICENESS }));
  });
  await stopped;
  await assert.rejects(run!.done, (error: Error & { code?: string }) => error.code === 'TRANSCODE_STOPPED');
  await assertNoFfmpegLeft();
  assert.ok(niceness.length > 1, 'ffmpeg runs several threads');
  assert.deepEqual(new Set(niceness), new Set([Math.min(19, getPriority() + OPENING_NICENESS)]));
});

test('an output ffmpeg cannot make fails the run with an error naming the renditions left short', async () => {
  const [small] = renditions;
  assert.ok(small?.rung.kind === 'video');
  // x264 refuses an odd width: that output never starts, and ffmpeg ends.
  const odd: Rendition = { ...small, id: 'mobile-odd', rung: { ...small.rung, width: small.rung.width + 1 } };
  const run = new LadderRun({ videoId: 'v', facts, renditions: [small, odd], from: 0, until: 2 }, deps(() => undefined));
  await assert.rejects(run.done, (error: Error & { code?: string }) => error.code === 'TRANSCODE_FAILED' && /mobile-odd/.test(error.message));
  await assertNoFfmpegLeft();
});
