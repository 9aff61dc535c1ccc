import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational, sourceFacts, type ProbeResult } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { parseTranscodeFacts, transcodeFacts } from './transcode-facts.js';

const video = { index: 0, codec_type: 'video', codec_name: 'h264', width: 640, height: 360, r_frame_rate: '30/1', start_time: 0, duration_ts: 1_800_000, time_base: '1/30000' };
const audio = { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: 48_000, duration_ts: 96_000, time_base: '1/48000' };
const factsOf = (probe: ProbeResult) => transcodeFacts(sourceFacts(probe));

test('the audio stream keeps its own length, and how much later than the video it starts', () => {
  const late = factsOf({ streams: [video, { ...audio, start_time: 1.5 }] });
  assert.deepEqual(late.duration, rational(60));
  assert.deepEqual(late.audio?.duration, rational(2));
  assert.deepEqual(late.audio?.delay, rational(3, 2));
  const together = factsOf({ streams: [video, { ...audio, start_time: 0 }] });
  assert.equal(together.audio?.delay, undefined);
  const unknown = factsOf({ streams: [video, { index: 1, codec_type: 'audio', codec_name: 'opus' }] });
  assert.equal(unknown.audio?.duration, undefined);
  assert.equal(unknown.audio?.delay, undefined);
});

test('the cached JSON holds only the fields a run reads, in the shape earlier workers wrote', () => {
  const facts = factsOf({ streams: [{ ...video, sample_aspect_ratio: '4:3', pix_fmt: 'yuv420p10le' }, { ...audio, start_time: 0, tags: { language: 'fra' } }] });
  assert.deepEqual(JSON.parse(JSON.stringify(facts)), {
    duration: { num: 60, den: 1 },
    video: {
      index: 0, codec: 'h264', width: 640, height: 360, rotation: 0, sampleAspectRatio: { num: 4, den: 3 },
      frameRate: { num: 30, den: 1 }, interlaced: false, highBitDepth: true, hdr: false,
    },
    audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000, duration: { num: 2, den: 1 } },
  });
  assert.deepEqual(parseTranscodeFacts(JSON.stringify(facts)), facts);
  assert.equal(parseTranscodeFacts('{"video":{}}'), undefined);
});

test('a source with no stream to play, or no length, is SOURCE_UNUSABLE', () => {
  const unusable = (probe: ProbeResult) => assert.throws(() => factsOf(probe), (error) => WorkerErrors.is(error, 'SOURCE_UNUSABLE'));
  unusable({ streams: [{ index: 0, codec_type: 'data' }], format: { format_name: 'mpegts', duration: 10 } });
  unusable({ streams: [{ ...video, duration_ts: undefined, time_base: undefined }] });
});
