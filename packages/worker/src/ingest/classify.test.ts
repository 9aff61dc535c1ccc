import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rational, type ProbeResult, type ProbeStream } from '@kiln/shared';
import { classify } from './classify.js';
import type { MeasuredFacts, StreamScan, TrialDecode, Verdict } from './types.js';

const h264 = (over: Partial<ProbeStream> = {}): ProbeStream => ({
  index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, pix_fmt: 'yuv420p',
  r_frame_rate: '30/1', avg_frame_rate: '30/1', field_order: 'progressive', disposition: { attached_pic: 0 }, ...over,
});
const aac = (index = 1, over: Partial<ProbeStream> = {}): ProbeStream => ({ index, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: 48000, ...over });
const probeOf = (streams: ProbeStream[], format = 'matroska,webm', duration = 10): ProbeResult => ({ streams, format: { format_name: format, duration } });

const scanOf = (end: number, packets = 300): StreamScan => ({ packets, timedPackets: packets, start: 0, last: end - 1 / 30, end, untimed: 0 });
const cleanTrial: TrialDecode = { videoFrames: 60, audioFrames: 90, errorLines: 0, errors: [], decoderMissing: false };
const facts = (over: Partial<MeasuredFacts> = {}): MeasuredFacts => ({ scan: new Map([[0, scanOf(10)], [1, scanOf(10)]]), trial: cleanTrial, ...over });

function refusalCode(verdict: Verdict): string | undefined {
  return verdict.outcome === 'refused' ? verdict.refusal.code : undefined;
}
function planOf(verdict: Verdict) {
  assert.equal(verdict.outcome, 'accepted', JSON.stringify(verdict));
  return verdict.outcome === 'accepted' ? verdict.plan : assert.fail('refused');
}

test('a file with no audio or video stream is NOT_A_VIDEO, and so is cover art alone', () => {
  assert.equal(refusalCode(classify({ probe: probeOf([{ index: 0, codec_type: 'data' }]), fileSize: 10 })), 'NOT_A_VIDEO');
  const cover = h264({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
  assert.equal(refusalCode(classify({ probe: probeOf([cover], 'mp3'), fileSize: 10 })), 'NOT_A_VIDEO');
});

test('an mp3 with a cover picture is audio-only, with the audio stream kept', () => {
  const cover = h264({ index: 1, codec_name: 'mjpeg', disposition: { attached_pic: 0 } });
  const plan = planOf(classify({ probe: probeOf([aac(0, { codec_name: 'mp3' }), cover], 'mp3'), fileSize: 10, facts: facts({ scan: new Map([[0, scanOf(10)]]) }) }));
  assert.equal(plan.kind, 'audio-only');
  assert.equal(plan.video, undefined);
  assert.equal(plan.audio?.index, 0);
  assert.deepEqual(plan.normalize, { kind: 'remux', audio: 'copy', reason: 'audio-only: the track goes into an MP4' });
});

test('a video codec ffprobe cannot name, or a missing decoder, is UNSUPPORTED_CODEC', () => {
  const vvc = h264({ codec_name: undefined, codec_tag_string: 'vvc1' });
  assert.equal(refusalCode(classify({ probe: probeOf([vvc], 'mov,mp4,m4a,3gp,3g2,mj2'), fileSize: 10 })), 'UNSUPPORTED_CODEC');
  const missing = facts({ trial: { ...cleanTrial, videoFrames: 0, decoderMissing: true } });
  assert.equal(refusalCode(classify({ probe: probeOf([h264()]), fileSize: 10, facts: missing })), 'UNSUPPORTED_CODEC');
});

test('pixels above the limit are TOO_LARGE (8K), 4K UHD and its portrait form pass', () => {
  assert.equal(refusalCode(classify({ probe: probeOf([h264({ width: 7680, height: 4320 })]), fileSize: 10 })), 'TOO_LARGE');
  for (const [width, height] of [[3840, 2160], [2160, 3840], [4096, 2160]] as const) {
    assert.equal(classify({ probe: probeOf([h264({ width, height })]), fileSize: 10, facts: facts() }).outcome, 'accepted');
  }
});

test('longer than the limit is TOO_LONG; no length anywhere is NO_DURATION', () => {
  const limits = { maxDurationSeconds: 60, maxPixels: 4096 * 2304 };
  const long = facts({ scan: new Map([[0, scanOf(61)]]) });
  assert.equal(refusalCode(classify({ probe: probeOf([h264()], 'matroska,webm', 61), fileSize: 10, facts: long, limits })), 'TOO_LONG');
  const noLength: ProbeResult = { streams: [h264()], format: { format_name: 'matroska,webm' } };
  assert.equal(refusalCode(classify({ probe: noLength, fileSize: 10, facts: facts({ scan: new Map() }) })), 'NO_DURATION');
});

test('a declared length the packets fall well short of is TRUNCATED; a fragmented MP4 is measured instead', () => {
  const cut = facts({ scan: new Map([[0, scanOf(20)], [1, scanOf(20)]]) });
  assert.equal(refusalCode(classify({ probe: probeOf([h264(), aac()], 'matroska,webm', 44.6), fileSize: 10, facts: cut })), 'TRUNCATED');
  const fragmented = facts({ scan: new Map([[0, scanOf(1.07)], [1, scanOf(1.07)]]), fragmentedMp4: true });
  const plan = planOf(classify({ probe: probeOf([h264(), aac()], 'mov,mp4,m4a,3gp,3g2,mj2', 143165), fileSize: 10, facts: fragmented }));
  assert.equal(plan.durationSeconds, 1.07);
  assert.equal(plan.normalize.kind, 'remux');
});

test('no video frame out of the trial decode is CORRUPT; an MP4 cut before its end is TRUNCATED', () => {
  const broken = facts({ trial: { ...cleanTrial, videoFrames: 0, errorLines: 9, errors: ['[vp9] Invalid sync code'] } });
  const verdict = classify({ probe: probeOf([h264({ codec_name: 'vp9' })]), fileSize: 10, facts: broken });
  assert.equal(refusalCode(verdict), 'CORRUPT');
  assert.match(verdict.outcome === 'refused' ? verdict.refusal.message : '', /Invalid sync code/);
  const cut = facts({ mp4Problem: 'SOURCE_TRUNCATED' });
  assert.equal(refusalCode(classify({ probe: probeOf([h264()], 'mov,mp4,m4a,3gp,3g2,mj2'), fileSize: 10, facts: cut })), 'TRUNCATED');
});

test('the plan reads rotation, interlacing, bit depth, HDR, pixel aspect and a CFR rate', () => {
  const stream = h264({
    width: 720, height: 576, sample_aspect_ratio: '64:45', field_order: 'tt', pix_fmt: 'yuv420p10le', color_transfer: 'smpte2084',
    r_frame_rate: '30/1', avg_frame_rate: '140000/5087', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
  });
  const video = planOf(classify({ probe: probeOf([stream]), fileSize: 10, facts: facts() })).video;
  assert.equal(video?.rotation, 270);
  assert.deepEqual(video?.display, { width: 576, height: 1024 });
  assert.equal(video?.interlaced, true);
  assert.equal(video?.highBitDepth, true);
  assert.equal(video?.hdr, true);
  assert.equal(video?.variableFrameRate, true);
  assert.deepEqual(video?.frameRate, rational(30), 'dropped frames from a nominal 30 keep 30');
});

test('frame rates: a millisecond grid is measured, 90 fps becomes 60, 10.5 fps becomes 10', () => {
  const rateOf = (stream: ProbeStream, scan = scanOf(10)) =>
    planOf(classify({ probe: probeOf([stream], 'matroska,webm', scan.end), fileSize: 10, facts: facts({ scan: new Map([[0, scan]]) }) })).video?.frameRate;
  assert.deepEqual(rateOf(h264({ r_frame_rate: '60/1', avg_frame_rate: '1000/1' }), { ...scanOf(1.0, 30), last: 29 / 30 }), rational(30));
  assert.deepEqual(rateOf(h264({ r_frame_rate: '90/1', avg_frame_rate: '90/1' })), rational(60));
  assert.deepEqual(rateOf(h264({ r_frame_rate: '1000/1', avg_frame_rate: '200/19' })), rational(10));
});

test('remux when MP4 takes the codecs, mezzanine when it does not, nothing for a sound MP4', () => {
  const normalizeOf = (streams: ProbeStream[], format: string, over: Partial<MeasuredFacts> = {}) =>
    planOf(classify({ probe: probeOf(streams, format), fileSize: 10, facts: facts(over) })).normalize;
  assert.deepEqual(normalizeOf([h264(), aac()], 'mov,mp4,m4a,3gp,3g2,mj2'), { kind: 'none' });
  assert.equal(normalizeOf([h264(), aac(1, { codec_name: 'ac3' })], 'matroska,webm').kind, 'remux');
  assert.deepEqual(normalizeOf([h264({ codec_name: 'vp9' }), aac(1, { codec_name: 'vorbis' })], 'matroska,webm'),
    { kind: 'remux', audio: 'aac', reason: 'vp9 is copied into an MP4; audio becomes AAC' });
  assert.equal(normalizeOf([h264({ codec_name: 'vp8' }), aac()], 'matroska,webm').kind, 'mezzanine');
  assert.equal(normalizeOf([h264(), aac()], 'avi').kind, 'mezzanine');
  assert.equal(normalizeOf([h264(), aac()], 'mpegts', { trial: { ...cleanTrial, errorLines: 3 } }).kind, 'mezzanine');
});

test('of several audio tracks the default one is kept and the choice is noted', () => {
  const plan = planOf(classify({
    probe: probeOf([h264(), aac(1), aac(2, { disposition: { default: 1 }, tags: { language: 'fra' } })]),
    fileSize: 10, facts: facts(),
  }));
  assert.equal(plan.audio?.index, 2);
  assert.equal(plan.audio?.tracks, 2);
  assert.match(plan.notes.join(' '), /kept stream 2 \(aac \[fra\]\)/);
});
