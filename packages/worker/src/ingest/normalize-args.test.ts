import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INGEST_DEMUXERS, rational } from '@kiln/shared';
import { mezzanineArgs, remuxArgs } from './normalize-args.js';
import type { IngestPlan, IngestVideo } from './types.js';

const video: IngestVideo = {
  index: 0, codec: 'vp8', width: 1920, height: 1080, display: { width: 1920, height: 1080 }, rotation: 0,
  frameRate: rational(30000, 1001), sourceFrameRate: 29.97, variableFrameRate: false, interlaced: false,
  highBitDepth: false, hdr: false, pixelFormat: 'yuv420p',
};
const plan = (over: Partial<IngestPlan>): IngestPlan => ({
  kind: 'video', container: 'matroska,webm', durationSeconds: 4, video,
  audio: { index: 1, codec: 'vorbis', channels: 2, sampleRate: 48000, tracks: 1 },
  normalize: { kind: 'mezzanine', reason: 'vp8' }, notes: [], ...over,
});
const input = ['-nostdin', '-v', 'error', '-protocol_whitelist', 'file,pipe', '-format_whitelist', INGEST_DEMUXERS.join(','), '-i', 'in.webm'];
const output = ['-sn', '-dn', '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', '-y', 'out.mp4'];

test('a remux copies the video, makes AAC of audio MP4 cannot carry, and writes a fast-start MP4', () => {
  const hevc = plan({ video: { ...video, codec: 'hevc' }, normalize: { kind: 'remux', audio: 'aac', reason: '' } });
  assert.deepEqual(remuxArgs('in.webm', hevc, 'out.mp4'), [
    ...input, '-map', '0:0', '-map', '0:1', '-c:v', 'copy', '-tag:v', 'hvc1', '-c:a', 'aac', '-b:a', '192k', '-ac', '2', ...output,
  ]);
});

test('an audio-only remux maps only the audio and copies it', () => {
  const audioOnly = plan({ kind: 'audio-only', video: undefined, audio: { index: 0, codec: 'mp3', channels: 2, sampleRate: 44100, tracks: 1 }, normalize: { kind: 'remux', audio: 'copy', reason: '' } });
  assert.deepEqual(remuxArgs('in.webm', audioOnly, 'out.mp4'), [...input, '-map', '0:0', '-vn', '-c:a', 'copy', ...output]);
});

test('a mezzanine is x264 CRF 16 at the planned constant rate, even-sized, keyed every second', () => {
  assert.deepEqual(mezzanineArgs('in.webm', plan({}), 'out.mp4'), [
    ...input, '-map', '0:0', '-map', '0:1',
    '-vf', 'fps=30000/1001:eof_action=pass,scale=trunc(iw/2)*2:trunc(ih/2)*2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-force_key_frames', 'expr:gte(t,n_forced)',
    '-c:a', 'aac', '-b:a', '192k', '-ac', '2', ...output,
  ]);
});

test('an interlaced 10-bit source is deinterlaced and stays 10-bit; tests may cut and speed it up', () => {
  const args = mezzanineArgs('in.webm', plan({ video: { ...video, interlaced: true, highBitDepth: true }, audio: undefined }), 'out.mp4', { preset: 'ultrafast', maxSeconds: 3 });
  assert.equal(args[args.indexOf('-vf') + 1], 'bwdif=mode=send_frame:parity=auto:deint=interlaced,fps=30000/1001:eof_action=pass,scale=trunc(iw/2)*2:trunc(ih/2)*2');
  assert.equal(args[args.indexOf('-pix_fmt') + 1], 'yuv420p10le');
  assert.equal(args[args.indexOf('-preset') + 1], 'ultrafast');
  assert.deepEqual(args.slice(args.indexOf('-an'), args.indexOf('-an') + 3), ['-an', '-t', '3']);
});
