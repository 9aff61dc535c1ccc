import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScan, parseTrial, trialArgs } from './probe-args.js';

test('the packet scan keeps each stream\'s extent and counts packets without a PTS', () => {
  const csv = ['1,0.000000,0.000000,0.026122', '0,N/A,0.000000,0.033333', '0,0.066667,0.033333,0.033333', '1,0.026122,0.026122,0.026122', '0,N/A,N/A,N/A', ''].join('\n');
  assert.deepEqual(parseScan(csv), new Map([
    [1, { packets: 2, timedPackets: 2, start: 0, last: 0.026122, end: 0.052244, untimed: 0 }],
    [0, { packets: 3, timedPackets: 2, start: 0, last: 0.066667, end: 0.1, untimed: 2 }],
  ]));
});

test('the trial decode counts frames per output stream and reads the errors', () => {
  const framecrc = ['#tb 0: 1/30', '0,          0,          0,        1,      416, 0x1', '1,          0,          0,     1024,     4096, 0x2', '0,          1,          1,        1,      416, 0x3'].join('\n');
  const trial = parseTrial(framecrc, '[h264 @ 0x1] non-existing PPS 0 referenced\n    Last message repeated 1 times\n', { video: 0, audio: 1 });
  assert.deepEqual(trial, { videoFrames: 2, audioFrames: 1, errorLines: 1, errors: ['[h264 @ 0x1] non-existing PPS 0 referenced'], decoderMissing: false });
  assert.equal(parseTrial('', 'Decoder (codec none) not found for input stream #0:0', { video: 0 }).decoderMissing, true);
  assert.equal(parseTrial('0, 0, 0, 1024, 4096, 0x2', '', { audio: 3 }).audioFrames, 1, 'audio-only: output 0 is the audio');
});

test('the trial decode maps the chosen streams only and stops after the trial seconds', () => {
  const args = trialArgs('in.ts', { video: 0, audio: 3 }, 2);
  assert.deepEqual(args.slice(args.indexOf('-i') + 2), ['-map', '0:0', '-map', '0:3', '-t', '2', '-c:v', 'wrapped_avframe', '-c:a', 'pcm_s16le', '-f', 'framecrc', 'pipe:1']);
});
