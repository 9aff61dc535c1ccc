import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '../schedule/rational.js';
import {
  declaredBandwidth,
  expectedPacketsPerPes,
  mpegTsBitrate,
  peakVideoBitrate,
  rateControl,
  worstCaseVideoBitrate,
} from './bandwidth.js';

test('rate control: maxrate 110 %, a half-second buffer; declared peak is the worst case less 10 %', () => {
  const control = rateControl(3_000_000);
  assert.deepEqual(control, { bitrate: 3_000_000, maxrate: 3_300_000, bufsize: 1_650_000 });
  // No 2 s span can carry more than maxrate·2 + bufsize bits.
  assert.equal(worstCaseVideoBitrate(control), 4_125_000);
  assert.ok(Math.abs(peakVideoBitrate(control) - 3_750_000) < 1e-6);
  assert.ok(worstCaseVideoBitrate(control) <= peakVideoBitrate(control) * 1.1 + 1e-6, 'the peak is within BANDWIDTH + 10 % by construction');
  // Hard content runs at maxrate: the declaration is not far above what it measures.
  assert.ok(peakVideoBitrate(control) / control.maxrate < 1.14);
  assert.ok(worstCaseVideoBitrate(control) <= 2 * control.bitrate, "even the worst case is within Apple's 200 % of average");
});

test('packets per PES: exact sizes need whole packets, spread sizes average between', () => {
  assert.equal(expectedPacketsPerPes(184, 0), 1);
  assert.equal(expectedPacketsPerPes(185, 0), 2);
  assert.equal(expectedPacketsPerPes(190, 0.01), 2);
  assert.ok(Math.abs(expectedPacketsPerPes(184, 0.5) - 1.5) < 1e-9, 'half of 92…276 needs a second packet');
  assert.ok(Math.abs(expectedPacketsPerPes(10_000, 1) - (10_000 / 184 + 0.5)) < 0.01);
});

// MPEG-TS files written with ffmpeg 5.1 (libx264 veryfast, aac, the worker's mux options, 20 s) and cut
// by Kiln's segmenter with AAC frames grouped: video elementary bit/s as ffprobe summed it, -b:a,
// and the segments' bit/s.
const MEASURED: ReadonlyArray<[videoBitrate: number, fps: number, fpsDen: number, audioBitrate: number, tsBitrate: number]> = [
  [81_800, 30000, 1001, 48_000, 171_700],
  [145_900, 30000, 1001, 128_000, 322_400],
  [2_021_700, 30000, 1001, 128_000, 2_239_500],
  [369_200, 60, 1, 128_000, 573_300],
  [371_900, 25, 1, 96_000, 510_600],
];

test('the TS overhead model is within 2 % of files ffmpeg wrote', () => {
  for (const [videoBitrate, num, den, audioBitrate, measured] of MEASURED) {
    const modelled = mpegTsBitrate({ videoBitrate, frameRate: rational(num, den), audioBitrate });
    assert.ok(Math.abs(modelled - measured) / measured < 0.02, `${videoBitrate} + ${audioBitrate}: ${modelled} vs ${measured}`);
  }
});

test('declared bandwidth: peak from the declared peak video rate, average from the bitrate, both with overhead', () => {
  const video = rateControl(365_000);
  const streams = { frameRate: rational(30000, 1001), audioBitrate: 128_000 };
  const declared = declaredBandwidth({ video, ...streams });
  assert.equal(declared.average, Math.ceil(mpegTsBitrate({ videoBitrate: 365_000, ...streams })));
  assert.equal(declared.peak, Math.ceil(mpegTsBitrate({ videoBitrate: peakVideoBitrate(video), ...streams })));
  assert.ok(declared.peak > declared.average + (peakVideoBitrate(video) - 365_000), 'video overhead grows with the rate');
  const audioOnly = declaredBandwidth({ audioBitrate: 64_000 });
  assert.equal(audioOnly.peak, audioOnly.average);
  assert.ok(audioOnly.peak < 192_000, 'a 64k audio-only rendition fits a cellular budget');
});

test('more frames per second cost more overhead at the same bitrate', () => {
  const at = (fps: number): number => mpegTsBitrate({ videoBitrate: 1_000_000, frameRate: rational(fps) });
  assert.ok(at(60) > at(30) && at(30) > at(15));
});
