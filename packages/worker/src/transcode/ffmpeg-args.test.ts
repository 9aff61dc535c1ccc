import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLadder, formatSeconds, planAudioSchedule, planVideoSchedule, MP4_DEMUXERS, rational, subtract, type VideoRung } from '@kiln/shared';
import type { TranscodeFacts } from './transcode-facts.js';
import { AAC_FRAME, audioPreloadArgs, outputOffset, runDuration, stopTime, transcodeArgs, videoFilter, type InputSpec } from './ffmpeg-args.js';

const NTSC = rational(30_000, 1001);
const facts: TranscodeFacts = {
  duration: rational(60),
  video: { index: 0, codec: 'h264', width: 1920, height: 1080, rotation: 0, frameRate: NTSC, interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 6, sampleRate: 44_100 },
};
const file: InputSpec = { url: 'file:/media/in.mp4', protocols: ['file'], formats: MP4_DEMUXERS, stdin: false };

function rung(profile: 'legacy' | 'desktop', id: string): VideoRung {
  const found = chooseLadder({ width: 1920, height: 1080, frameRate: NTSC }, profile).find((candidate) => candidate.id === id);
  assert.ok(found?.kind === 'video');
  return found;
}

test('legacy 360p from segment 10: seek to its first frame, source-time offset, keyframes relative to S, Baseline without B-frames', () => {
  const plan = planVideoSchedule(60, NTSC);
  const args = transcodeArgs({ input: file, facts, rung: rung('legacy', '360p'), plan, from: 10, until: 12, threads: 2 });
  assert.deepEqual(args, [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-protocol_whitelist', 'file', '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2',
    '-ss', '38.004633', '-i', 'file:/media/in.mp4',
    '-map', '0:0',
    '-vf', 'fps=30000/1001:start_time=0,scale=640:360:flags=bicubic,format=yuv420p,setsar=1,tpad=stop_mode=clone:stop=-1',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-level:v', '3.0', '-refs', '1', '-bf', '0',
    '-b:v', '365000', '-maxrate', '401500', '-bufsize', '200750',
    '-force_key_frames', '0,1.001,2.002,3.003,4.004,5.005,6.006,7.007,8.008,9.009',
    '-sc_threshold', '0', '-flags', '+cgop', '-threads', '2',
    '-map', '0:1', '-c:a', 'aac', '-b:a', '64000', '-ac', '2', '-ar', '48000',
    '-frames:v', '300', '-t', '10.01', '-output_ts_offset', '48.004633', '-muxdelay', '0', '-muxpreload', '0', '-pat_period', '5', '-sdt_period', '5', '-flush_packets', '0',
    '-f', 'mpegts', 'pipe:1',
  ]);
});

test('audio is interleaved ahead by the video\'s DTS delay (B-pyramid: 2 frames), so each segment holds the audio stamped before its end', () => {
  assert.deepEqual(audioPreloadArgs(0, NTSC), []);
  assert.deepEqual(audioPreloadArgs(3, rational(30)), ['-audio_preload', '66667']);
  assert.deepEqual(audioPreloadArgs(3, rational(60)), ['-audio_preload', '33333']);
  assert.deepEqual(audioPreloadArgs(1, rational(25)), ['-audio_preload', '40000']);
  // A run with video stops at its last segment's end, more segments following or not: audio past it would overlap the next run's.
  const ntscPlan = planVideoSchedule(60, NTSC);
  const twoSegments = { input: file, facts, rung: rung('desktop', '720p'), plan: ntscPlan, from: 0, until: 2, threads: 0 };
  assert.deepEqual(stopTime(twoSegments, false), runDuration(ntscPlan, 0, 2));
  assert.deepEqual(stopTime(twoSegments, true), subtract(runDuration(ntscPlan, 0, 2), AAC_FRAME), 'audio alone stops a frame early');
  assert.deepEqual(stopTime({ ...twoSegments, until: ntscPlan.segments.length }, false), runDuration(ntscPlan, 0, ntscPlan.segments.length));
  // An output without audio, or audio alone, has nothing to interleave.
  const plan = planVideoSchedule(60, NTSC);
  const silent = transcodeArgs({ input: file, facts: { ...facts, audio: undefined }, rung: rung('desktop', '720p'), plan, from: 0, until: 2, threads: 0 });
  assert.equal(silent.includes('-audio_preload'), false);
});

test('a run from 0 to the end has no -ss, ends at the plan\'s last frame, and its offset is BASE alone', () => {
  const plan = planVideoSchedule(60, NTSC);
  const args = transcodeArgs({ input: file, facts, rung: rung('desktop', '720p'), plan, from: 0, until: plan.segments.length, threads: 0 });
  assert.equal(args.includes('-ss'), false);
  assert.deepEqual(args.slice(args.indexOf('-frames:v'), args.indexOf('-frames:v') + 4), ['-frames:v', String(plan.totalFrames), '-t', formatSeconds(plan.duration)]);
  assert.deepEqual(args.slice(args.indexOf('-output_ts_offset'), args.indexOf('-output_ts_offset') + 2), ['-output_ts_offset', '10']);
  assert.deepEqual(args.slice(args.indexOf('-profile:v'), args.indexOf('-profile:v') + 8), ['-profile:v', 'high', '-level:v', '4.0', '-refs', '4', '-bf', '3']);
  assert.deepEqual(outputOffset(plan, 0), rational(10));
});

test('interlaced and HDR sources are deinterlaced and tone-mapped to 8-bit SDR; stdin input has no -nostdin', () => {
  const video = { ...facts.video!, interlaced: true, hdr: true, highBitDepth: true };
  assert.equal(
    videoFilter(video, rung('desktop', '720p'), NTSC),
    'bwdif=mode=send_frame:parity=auto:deint=all,fps=30000/1001:start_time=0,scale=1280:720:flags=bicubic,' +
      'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p,setsar=1,' +
      'tpad=stop_mode=clone:stop=-1',
  );
  const plan = planVideoSchedule(60, NTSC);
  const args = transcodeArgs({ input: { ...file, url: 'pipe:0', protocols: ['pipe'], stdin: true }, facts, rung: rung('legacy', '234p'), plan, from: 0, until: 1, threads: 1 });
  assert.deepEqual(args.slice(0, 8), ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'pipe', '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2', '-i']);
});

test('audio-only renditions carry one AAC frame per PES; a source without audio gets -an', () => {
  const audioFacts: TranscodeFacts = { duration: rational(30), audio: { index: 0, codec: 'aac', channels: 2, sampleRate: 48_000 } };
  const [audio] = chooseLadder({ audioOnly: true }, 'mobile');
  const plan = planAudioSchedule(30);
  const args = transcodeArgs({ input: file, facts: audioFacts, rung: audio, plan, from: 0, until: plan.segments.length, threads: 1 });
  assert.deepEqual(args.slice(args.indexOf('-vn')), [
    '-vn', '-map', '0:0', '-c:a', 'aac', '-b:a', '64000', '-ac', '2', '-ar', '48000',
    '-t', '30', '-output_ts_offset', '10', '-muxdelay', '0', '-muxpreload', '0', '-pat_period', '5', '-sdt_period', '5', '-flush_packets', '0', '-pes_payload_size', '0', '-f', 'mpegts', 'pipe:1',
  ]);
  const silent = transcodeArgs({ input: file, facts: { duration: rational(60), video: facts.video! }, rung: rung('legacy', '234p'), plan: planVideoSchedule(60, NTSC), from: 0, until: 2, threads: 1 });
  assert.ok(silent.includes('-an'));
  assert.throws(() => transcodeArgs({ input: file, facts, rung: rung('legacy', '234p'), plan: planVideoSchedule(60, NTSC), from: 3, until: 3, threads: 1 }), RangeError);
});
