import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forceKeyFramesArgument, LOCAL_PROTOCOLS, MP4_DEMUXERS, planVideoSchedule, rational, type VideoPlan } from '@kiln/shared';
import { runFrameCount, transcodeArgs } from './ffmpeg-args.js';
import { ladderArgs, ladderGroupKey, ladderOutputFd, outputSpec, type LadderSpec } from './ladder-args.js';
import { renditionsFor, type Rendition } from './rendition.js';
import type { TranscodeFacts } from './transcode-facts.js';

const facts: TranscodeFacts = {
  duration: rational(20),
  video: { index: 0, codec: 'h264', width: 1920, height: 1080, rotation: 0, frameRate: rational(60), interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000 },
};
const input = { url: 'file:/s.mp4', protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS, stdin: false };
const [audioRendition] = renditionsFor({ duration: facts.duration, audio: facts.audio! }, 'mobile');
const renditions: Rendition[] = [...renditionsFor(facts, 'mobile'), ...renditionsFor(facts, 'desktop'), audioRendition];
const spec = (from: number, until: number, outputs = renditions): LadderSpec => ({ input, facts, outputs, from, until, threads: 0, preset: 'veryfast' });

/** The arguments of output k: from its `-map` to its pipe. */
function outputArgsOf(args: string[], k: number): string[] {
  const pipe = args.indexOf(`pipe:${ladderOutputFd(k)}`);
  const previous = k === 0 ? args.indexOf('-filter_complex') + 1 : args.indexOf(`pipe:${ladderOutputFd(k - 1)}`);
  return args.slice(previous + 1, pipe + 1);
}

const option = (args: string[], name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};

test('every rendition is an output on its own pipe, mapped from one split of the decoded source', () => {
  const args = ladderArgs(spec(0, 3));
  assert.equal(args.filter((arg) => arg === '-i').length, 1, 'one input, decoded once');
  const graph = option(args, '-filter_complex')!;
  const videoOutputs = renditions.filter((rendition) => rendition.rung.kind === 'video').length;
  assert.match(graph, /^\[0:0\]split=\d+/);
  assert.match(graph, new RegExp(`\\[0:1\\]asplit=${renditions.length}`), 'every rendition carries audio');
  renditions.forEach((rendition, k) => {
    const own = outputArgsOf(args, k);
    assert.equal(own.at(-1), `pipe:${k === 0 ? 1 : k + 2}`);
    assert.equal(own.filter((arg) => arg === `[v${k}]`).length, rendition.rung.kind === 'video' ? 1 : 0, `${rendition.id} video mapped`);
    assert.ok(own.includes(`[a${k}]`), `${rendition.id} audio mapped`);
    assert.equal(graph.split(`[v${k}]`).length - 1, rendition.rung.kind === 'video' ? 1 : 0, `[v${k}] made once`);
  });
  assert.equal(renditions.filter((rendition) => rendition.rung.kind === 'video').length, videoOutputs);
  // Same size and rate in both profiles: one scale chain, split again into both encoders.
  assert.ok((graph.match(/scale=/g) ?? []).length < videoOutputs, 'renditions of one size share their chain');
});

test('each output has its rendition’s frame count, keyframe list, audio bit rate and offset, as a single run of it', () => {
  for (const [from, until] of [[0, 3], [2, 5]] as const) {
    const args = ladderArgs(spec(from, until));
    renditions.forEach((rendition, k) => {
      const own = outputArgsOf(args, k);
      const single = transcodeArgs(outputSpec(spec(from, until), rendition));
      for (const name of ['-output_ts_offset', '-t', '-b:a', '-b:v', '-profile:v', '-level:v']) {
        assert.equal(option(own, name), option(single, name), `${rendition.id} ${name}`);
      }
      if (rendition.plan.kind !== 'video') return assert.equal(option(own, '-frames:v'), undefined);
      const plan: VideoPlan = rendition.plan;
      assert.equal(option(own, '-frames:v'), String(runFrameCount(plan, from, until)), `${rendition.id} frames`);
      assert.equal(option(own, '-force_key_frames'), forceKeyFramesArgument(plan, from, until), `${rendition.id} keyframes`);
    });
    assert.equal(option(args, '-ss'), option(transcodeArgs(outputSpec(spec(from, until), renditions[0])), '-ss'));
  }
});

test('outputs that would start at different source times are refused; the group key tells them apart', () => {
  const at = (rate: number) => ({ ...renditions[0], plan: planVideoSchedule(facts.duration, rational(rate)) });
  // Segment 1 begins at the first frame at or after 2 s: 2 s at 25 fps, 2.002 s at 23.976 fps.
  const [pal, film] = [at(25), { ...at(1), plan: planVideoSchedule(facts.duration, rational(24000, 1001)) }];
  assert.notEqual(ladderGroupKey(pal.plan, 1, 3), ladderGroupKey(film.plan, 1, 3));
  assert.equal(ladderGroupKey(pal.plan, 0, 3), ladderGroupKey(film.plan, 0, 3));
  assert.throws(() => ladderArgs(spec(1, 3, [pal, film])), /same source time/);
  assert.ok(ladderArgs(spec(0, 3, [pal, film])).length > 0);
  assert.throws(() => ladderArgs(spec(0, 3, [])), /needs an output/);
  assert.throws(() => ladderArgs(spec(3, 3)), RangeError);
});
