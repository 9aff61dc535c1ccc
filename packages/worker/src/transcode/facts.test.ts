import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '@kiln/shared';
import { sourceFactsFromProbe } from './facts.js';

const video = { index: 0, codec_type: 'video', codec_name: 'h264', width: 640, height: 360, r_frame_rate: '30/1', start_time: 0, duration_ts: 1_800_000, time_base: '1/30000' };
const audio = { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: 48_000, duration_ts: 96_000, time_base: '1/48000' };

test('the audio stream keeps its own length, and how much later than the video it starts', () => {
  const late = sourceFactsFromProbe({ streams: [video, { ...audio, start_time: 1.5 }] });
  assert.deepEqual(late.duration, rational(60));
  assert.deepEqual(late.audio?.duration, rational(2));
  assert.deepEqual(late.audio?.delay, rational(3, 2));
  const together = sourceFactsFromProbe({ streams: [video, { ...audio, start_time: 0 }] });
  assert.equal(together.audio?.delay, undefined);
  const unknown = sourceFactsFromProbe({ streams: [video, { index: 1, codec_type: 'audio', codec_name: 'opus' }] });
  assert.equal(unknown.audio?.duration, undefined);
  assert.equal(unknown.audio?.delay, undefined);
});
