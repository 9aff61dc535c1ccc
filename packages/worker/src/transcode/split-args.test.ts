import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLadder, planAudioSchedule, planVideoSchedule, MP4_DEMUXERS, rational, type VideoRung } from '@kiln/shared';
import type { TranscodeFacts } from './transcode-facts.js';
import { type InputSpec, type RunSpec } from './ffmpeg-args.js';
import { firstOutputThreadsFor, splitRunArgs, splittable } from './split-args.js';

const NTSC = rational(30_000, 1001);
const facts: TranscodeFacts = {
  duration: rational(60),
  video: { index: 0, codec: 'h264', width: 1920, height: 1080, rotation: 0, frameRate: NTSC, interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 6, sampleRate: 44_100, duration: rational(60) },
};
const file: InputSpec = { url: 'file:/media/in.mp4', protocols: ['file'], formats: MP4_DEMUXERS, stdin: false };
const plan = planVideoSchedule(60, NTSC);

function rung(profile: 'legacy' | 'desktop', id: string): VideoRung {
  const found = chooseLadder({ width: 1920, height: 1080, frameRate: NTSC }, profile).find((candidate) => candidate.id === id);
  assert.ok(found?.kind === 'video');
  return found;
}

test('a split run from segment 10 (5 s): one decode, the first-segment output gets segment 10, the next IDR and a frame to push it out of a 2-thread x264 without lookahead on fd 3, the rest goes to stdout', () => {
  const spec: RunSpec = { input: file, facts, rung: rung('desktop', '720p'), plan, from: 10, until: 14, threads: 0 };
  const args = splitRunArgs(spec);
  assert.deepEqual(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4), ['-ss', '38.004633', '-i', 'file:/media/in.mp4']);
  assert.equal(args.filter((arg) => arg === '-i').length, 1);
  assert.equal(
    args[args.indexOf('-filter_complex') + 1],
    '[0:0]fps=30000/1001:start_time=0,scale=1280:720:flags=bicubic,format=yuv420p,setsar=1,tpad=stop_mode=clone:stop=-1,split=2[v_first_in][v_main_in];' +
      '[v_first_in]trim=end_frame=152[v_first];[v_main_in]trim=start_frame=150[v_main];' +
      '[0:1]asplit=2[a_first_in][a_main_in];[a_first_in]atrim=end=5.255[a_first];[a_main_in]atrim=start=5.005[a_main]',
  );
  const first = args.slice(args.indexOf('-filter_complex') + 2, args.indexOf('pipe:3') + 1);
  // The first output one preset faster than the run's (veryfast by default): a client waits for all of it.
  assert.deepEqual(first.slice(0, 6), ['-map', '[v_first]', '-c:v', 'libx264', '-preset', 'superfast']);
  assert.deepEqual(first.slice(6, 18), ['-tune', 'zerolatency', '-x264-params', 'sliced-threads=0', '-profile:v', 'high', '-level:v', '4.0', '-refs', '4', '-bf', '0']);
  assert.equal(first[first.indexOf('-threads') + 1], '2');
  // Keyframes relative to the run's start: segment 10's seconds and segment 11's first frame.
  // The first output writes each packet (its segment is awaited), the main output its buffer when full.
  assert.equal(first[first.indexOf('-force_key_frames') + 1], '0,1.001,2.002,3.003,4.004,5.005,6.006,7.007,8.008,9.009');
  assert.deepEqual(first.slice(first.indexOf('-frames:v')), [
    '-frames:v', '152', '-t', '5.255', '-output_ts_offset', '48.004633', '-muxdelay', '0', '-muxpreload', '0', '-pat_period', '5', '-sdt_period', '5', '-f', 'mpegts', 'pipe:3',
  ]);
  const main = args.slice(args.indexOf('pipe:3') + 1);
  assert.deepEqual(main.slice(0, 2), ['-map', '[v_main]']);
  assert.equal(main.includes('-tune'), false);
  assert.equal(main[main.indexOf('-preset') + 1], 'veryfast');
  assert.equal(main[main.indexOf('-threads') + 1], '0');
  assert.equal(main[main.indexOf('-bf') + 1], '3');
  assert.deepEqual(main.slice(main.indexOf('-map', 2), main.indexOf('-map', 2) + 2), ['-map', '[a_main]']);
  // Frames after the first segment's; -t counts from the run's start (both outputs share its clock).
  assert.deepEqual(main.slice(main.indexOf('-frames:v')), [
    '-frames:v', String(plan.segments[14].firstFrame - plan.segments[11].firstFrame), '-t', '20.02',
    // Audio interleaved ahead by each encoder's DTS delay: none without B-frames, two frames (66.7 ms) with them.
    '-output_ts_offset', '48.004633', '-muxdelay', '0', '-muxpreload', '0', '-pat_period', '5', '-sdt_period', '5', '-flush_packets', '0', '-audio_preload', '66733', '-f', 'mpegts', 'pipe:1',
  ]);
});

test('the first-segment output takes a frame thread per CPU (2 to 4) and is fed a frame per thread but one past its IDR; its -t covers those frames', () => {
  assert.deepEqual([1, 2, 3, 4, 16].map(firstOutputThreadsFor), [2, 2, 3, 4, 4]);
  const twelve = rational(12);
  const slowPlan = planVideoSchedule(60, twelve);
  const slowFacts: TranscodeFacts = { ...facts, video: { ...facts.video!, frameRate: twelve } };
  const slowRung = chooseLadder({ width: 1920, height: 1080, frameRate: twelve }, 'desktop').find((candidate) => candidate.id === '720p');
  assert.ok(slowRung?.kind === 'video');
  const args = splitRunArgs({ input: file, facts: slowFacts, rung: slowRung, plan: slowPlan, from: 10, until: 14, threads: 0, firstOutputThreads: 4 });
  const firstSegmentFrames = slowPlan.segments[11].firstFrame - slowPlan.segments[10].firstFrame;
  assert.match(args[args.indexOf('-filter_complex') + 1], new RegExp(`\\[v_first_in\\]trim=end_frame=${firstSegmentFrames + 4}\\[v_first\\]`));
  const first = args.slice(0, args.indexOf('pipe:3'));
  assert.equal(first[first.lastIndexOf('-threads') + 1], '4');
  // 64 frames at 12 fps end at 5.333 s, after the audio's 5.25 s.
  assert.deepEqual(first.slice(first.indexOf('-frames:v'), first.indexOf('-frames:v') + 4), ['-frames:v', String(firstSegmentFrames + 4), '-t', '5.333333']);
});

test('not split: a single segment, audio-only, audio known to start after or end within its first segment, or a rung without audio has no audio branch', () => {
  const desktop = rung('desktop', '720p');
  assert.equal(splittable({ input: file, facts, rung: desktop, plan, from: 3, until: 4, threads: 0 }), undefined);
  const [audioRung] = chooseLadder({ audioOnly: true }, 'mobile');
  const audioFacts: TranscodeFacts = { duration: rational(30), audio: { index: 0, codec: 'aac', channels: 2, sampleRate: 48_000 } };
  assert.equal(splittable({ input: file, facts: audioFacts, rung: audioRung, plan: planAudioSchedule(30), from: 0, until: 4, threads: 0 }), undefined);
  // Segment 1 starts at 2 s: audio ending at 2.5 s would hold the first output's closing IDR until ffmpeg ends.
  const shortAudio: TranscodeFacts = { ...facts, audio: { ...facts.audio!, duration: rational(5, 2) } };
  assert.equal(splittable({ input: file, facts: shortAudio, rung: desktop, plan, from: 0, until: 5, threads: 0 }), undefined);
  assert.ok(splittable({ input: file, facts: { ...facts, audio: { ...facts.audio!, duration: rational(3) } }, rung: desktop, plan, from: 0, until: 5, threads: 0 }));
  // Audio that starts after the boundary (2 s) leaves the first output nothing to close on; before it, fine.
  const lateAudio = (tenths: number): TranscodeFacts => ({ ...facts, audio: { ...facts.audio!, delay: rational(tenths, 10) } });
  assert.equal(splittable({ input: file, facts: lateAudio(25), rung: desktop, plan, from: 0, until: 5, threads: 0 }), undefined);
  assert.ok(splittable({ input: file, facts: lateAudio(15), rung: desktop, plan, from: 0, until: 5, threads: 0 }));
  const silent = splitRunArgs({ input: file, facts: { duration: rational(60), video: facts.video! }, rung: desktop, plan, from: 0, until: 5, threads: 0 });
  assert.equal(silent.some((arg) => arg.includes('asplit') || arg.startsWith('[a_')), false);
  assert.throws(() => splitRunArgs({ input: file, facts, rung: desktop, plan, from: 3, until: 4, threads: 0 }), RangeError);
});
