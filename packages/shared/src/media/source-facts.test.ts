import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeStream } from '../ffmpeg/ffprobe.js';
import { rational } from '../schedule/rational.js';
import { sourceFacts } from './source-facts.js';
import { isHighBitDepth } from './source-streams.js';

const picture = (over: Partial<ProbeStream> = {}): ProbeStream => ({
  index: 0, codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, pix_fmt: 'yuv420p',
  r_frame_rate: '25/1', avg_frame_rate: '25/1', ...over,
});
const sound = (index: number, over: Partial<ProbeStream> = {}): ProbeStream => ({ index, codec_type: 'audio', codec_name: 'aac', ...over });

test('the picture kept is not cover art, and the sound kept is the default known track', () => {
  const cover = picture({ index: 0, codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
  const facts = sourceFacts({ streams: [cover, picture({ index: 1 }), sound(2), sound(3, { disposition: { default: 1 } }), sound(4, { codec_name: 'unknown' })] });
  assert.equal(facts.video?.index, 1);
  assert.equal(facts.audio?.index, 3);
  assert.equal(facts.audio?.tracks, 2);
  assert.equal(sourceFacts({ streams: [cover, sound(1)], format: { format_name: 'mp3' } }).video, undefined);
});

test('a picture without a size is no picture; one without any rate is planned at 25', () => {
  assert.equal(sourceFacts({ streams: [picture({ height: 0 })] }).video, undefined);
  assert.deepEqual(sourceFacts({ streams: [picture({ r_frame_rate: '0/0', avg_frame_rate: '0/0' })] }).video?.frameRate, rational(25));
});

test('rotation comes in quarter turns; square or unknown pixels have no aspect ratio', () => {
  const rotated = sourceFacts({ streams: [picture({ side_data_list: [{ rotation: -92 }], sample_aspect_ratio: '1:1' })] }).video;
  assert.equal(rotated?.rotation, 270);
  assert.equal(rotated?.sampleAspectRatio, undefined);
  assert.deepEqual(sourceFacts({ streams: [picture({ sample_aspect_ratio: '64:45' })] }).video?.sampleAspectRatio, rational(64, 45));
  assert.equal(sourceFacts({ streams: [picture({ sample_aspect_ratio: '0:1' })] }).video?.sampleAspectRatio, undefined);
});

test('bit depth above 8 is read from the pixel format name', () => {
  for (const format of ['yuv420p10le', 'p010le', 'gray12le', 'yuv444p12be', 'x2rgb10le']) assert.equal(isHighBitDepth(format), true, format);
  for (const format of ['yuv420p', 'nv12', 'nv21', 'rgb24', 'yuvj420p']) assert.equal(isHighBitDepth(format), false, format);
});

test('the length is the kept stream exact one; the declared length is the container first', () => {
  const video = picture({ duration_ts: 900_000, time_base: '1/90000', duration: 10 });
  const facts = sourceFacts({ streams: [video, sound(1, { duration: 12 })], format: { format_name: 'mpegts', duration: 12.5 } });
  assert.deepEqual(facts.duration, rational(10));
  assert.equal(facts.declaredSeconds, 12.5);
  assert.equal(facts.container, 'mpegts');
  const bare = sourceFacts({ streams: [sound(0, { duration: 3.5 })], format: { format_name: 'wav' } });
  assert.deepEqual(bare.duration, rational(7, 2));
  assert.equal(bare.declaredSeconds, 3.5);
  assert.equal(sourceFacts({ streams: [] }).duration, undefined);
});
