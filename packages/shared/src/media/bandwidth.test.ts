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

test('rate control: maxrate 110 %, a one-second buffer; declared peak midway between bitrate and maxrate', () => {
  const control = rateControl(3_000_000);
  assert.deepEqual(control, { bitrate: 3_000_000, maxrate: 3_300_000, bufsize: 3_300_000 });
  assert.equal(peakVideoBitrate(control), 3_150_000);
  // Content that uses its bitrate measures between bitrate and maxrate: both within 5 % of the declared peak.
  for (const measured of [control.bitrate, control.maxrate]) {
    assert.ok(Math.abs(measured - peakVideoBitrate(control)) / peakVideoBitrate(control) <= 0.05, `${measured}`);
  }
  assert.equal(worstCaseVideoBitrate(control), 4_620_000);
  assert.ok(worstCaseVideoBitrate(control) <= 2 * control.bitrate, "even the worst case is within Apple's 200 % of average");
});

test('packets per PES: exact sizes need whole packets, spread sizes average between', () => {
  assert.equal(expectedPacketsPerPes(184, 0), 1);
  assert.equal(expectedPacketsPerPes(185, 0), 2);
  assert.equal(expectedPacketsPerPes(190, 0.01), 2);
  assert.ok(Math.abs(expectedPacketsPerPes(184, 0.5) - 1.5) < 1e-9, 'half of 92…276 needs a second packet');
  assert.ok(Math.abs(expectedPacketsPerPes(10_000, 1) - (10_000 / 184 + 0.5)) < 0.01);
});

// MPEG-TS files written with ffmpeg 5.1 (libx264 veryfast, aac, -muxdelay 0 -muxpreload 0, 20 s):
// video elementary bit/s as ffprobe summed it, -b:a, and the file's bit/s.
const MEASURED: ReadonlyArray<[videoBitrate: number, fps: number, fpsDen: number, audioBitrate: number, tsBitrate: number]> = [
  [148_100, 30000, 1001, 64_000, 352_100],
  [147_800, 30000, 1001, 128_000, 382_000],
  [2_001_400, 30000, 1001, 128_000, 2_273_700],
  [378_500, 60, 1, 128_000, 652_400],
  [373_300, 25, 1, 96_000, 577_500],
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
