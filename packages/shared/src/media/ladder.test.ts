import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Rational } from '../schedule/rational.js';
import { rational } from '../schedule/rational.js';
import { displaySize, macroblocks } from './geometry.js';
import type { VideoSource } from './geometry.js';
import type { AudioRung, Rung, VideoRung } from './ladder.js';
import { CELLULAR_BITRATE_LIMIT, chooseLadder } from './ladder.js';
import { DEVICE_PROFILES, PROFILE_NAMES } from './profiles.js';
import { formatFrameRate } from './frame-rate.js';

const NTSC = rational(30000, 1001);

function videoRungs(rungs: Rung[]): VideoRung[] {
  return rungs.filter((rung): rung is VideoRung => rung.kind === 'video');
}

function sizes(rungs: Rung[]): string[] {
  return videoRungs(rungs).map((rung) => `${rung.id} ${rung.width}x${rung.height}`);
}

test('a 1080p source gets every rung its profile allows', () => {
  const source = { width: 1920, height: 1080, frameRate: NTSC };
  assert.deepEqual(sizes(chooseLadder(source, 'legacy')), ['234p 416x234', '360p 640x360']);
  assert.deepEqual(sizes(chooseLadder(source, 'mobile')).at(-1), '720p 1280x720');
  assert.deepEqual(sizes(chooseLadder(source, 'desktop')), [
    '234p 416x234', '360p 640x360', '540p 960x540', '720p 1280x720', '1080p 1920x1080',
  ]);
});

test('rungs never enlarge the source', () => {
  assert.deepEqual(sizes(chooseLadder({ width: 1280, height: 720 }, 'desktop')).at(-1), '720p 1280x720');
  assert.deepEqual(sizes(chooseLadder({ width: 1000, height: 562 }, 'desktop')).at(-1), '540p 960x540');
});

test('a portrait phone video keeps its short side as the "p"', () => {
  const coded = sizes(chooseLadder({ width: 1080, height: 1920 }, 'desktop'));
  const rotated = sizes(chooseLadder({ width: 1920, height: 1080, rotation: -90 }, 'desktop'));
  assert.deepEqual(coded, rotated);
  assert.deepEqual(coded, ['234p 234x416', '360p 360x640', '540p 540x960', '720p 720x1280', '1080p 1080x1920']);
});

test('other shapes fit the rung box with even sides', () => {
  assert.deepEqual(sizes(chooseLadder({ width: 1920, height: 800 }, 'desktop')).slice(-2), ['720p 1280x534', '1080p 1920x800']);
  assert.deepEqual(sizes(chooseLadder({ width: 640, height: 480 }, 'desktop')), ['234p 312x234', '360p 480x360']);
  const anamorphic = chooseLadder({ width: 720, height: 576, sampleAspectRatio: rational(64, 45) }, 'desktop');
  assert.deepEqual(sizes(anamorphic), ['234p 416x234', '360p 640x360', '540p 960x540'], 'PAL 16:9 shows as 1024x576');
});

test('a source smaller than 234p gets one cellular rung at its own size', () => {
  const [rung, ...others] = videoRungs(chooseLadder({ width: 320, height: 180 }, 'desktop'));
  assert.deepEqual(others, []);
  assert.equal(rung?.id, '180p');
  assert.deepEqual([rung?.width, rung?.height, rung?.cellular], [320, 180, true]);
  assert.equal(videoRungs(chooseLadder({ width: 175, height: 97 }, 'legacy'))[0]?.height, 96);
});

test('each rung declares its codecs, rate control and bandwidth', () => {
  const [low] = videoRungs(chooseLadder({ width: 1920, height: 1080, frameRate: NTSC }, 'legacy'));
  assert.equal(low?.codecs, 'avc1.42c01e,mp4a.40.2');
  assert.deepEqual(low?.video, { bitrate: 80_000, maxrate: 88_000, bufsize: 44_000 });
  assert.equal(low?.audioBitrate, 48_000, 'the cellular rung caps the audio');
  assert.ok(low !== undefined && low.bandwidth.average > 80_000 + 48_000, 'overhead is declared');
  const [mobileLow, mobileNext] = videoRungs(chooseLadder({ width: 1920, height: 1080, frameRate: NTSC }, 'mobile'));
  assert.equal(mobileNext?.audioBitrate, 128_000, "other rungs keep the profile's audio");
  for (const rung of [low, mobileLow]) {
    assert.ok(rung !== undefined && rung.cellular && rung.bandwidth.peak <= CELLULAR_BITRATE_LIMIT, `${rung?.profile} ${rung?.bandwidth.peak}`);
  }
  assert.ok(mobileNext !== undefined && !mobileNext.cellular);
  const silent = videoRungs(chooseLadder({ width: 1920, height: 1080, hasAudio: false }, 'desktop'));
  assert.ok(silent.every((rung) => rung.codecs === 'avc1.640028' && rung.audioBitrate === 0));
});

test('frame rates are halved where the rung or the level cannot carry them', () => {
  const rates = (frameRate: Rational, profile: 'legacy' | 'mobile' | 'desktop'): string[] =>
    videoRungs(chooseLadder({ width: 1920, height: 1080, frameRate }, profile)).map((rung) =>
      rung.frameRate === undefined ? '?' : formatFrameRate(rung.frameRate),
    );
  assert.deepEqual(rates(rational(60), 'desktop'), ['30.000', '30.000', '30.000', '60.000', '30.000']);
  assert.deepEqual(rates(rational(60), 'mobile').at(-1), '30.000', 'level 3.1 carries 720p at 30 fps at most');
  assert.deepEqual(rates(rational(60000, 1001), 'desktop').at(-1), '29.970');
  assert.deepEqual(rates(rational(25), 'desktop'), ['25.000', '25.000', '25.000', '25.000', '25.000']);
  assert.deepEqual(rates(rational(120), 'legacy'), ['30.000', '30.000']);
  assert.equal(videoRungs(chooseLadder({ width: 1920, height: 1080 }, 'desktop'))[0]?.frameRate, undefined);
  assert.throws(() => chooseLadder({ width: 1920, height: 1080, frameRate: rational(0) }, 'desktop'), RangeError);
});

test('an audio-only source gets audio renditions', () => {
  const audio = chooseLadder({ audioOnly: true }, 'desktop') as AudioRung[];
  assert.deepEqual(audio.map((rung) => [rung.kind, rung.id, rung.codecs]), [
    ['audio', 'audio-64k', 'mp4a.40.2'],
    ['audio', 'audio-128k', 'mp4a.40.2'],
  ]);
  assert.deepEqual(chooseLadder({ audioOnly: true }, 'legacy').map((rung) => rung.id), ['audio-64k']);
});

const anySource: fc.Arbitrary<VideoSource> = fc
  .record({
    width: fc.integer({ min: 16, max: 4096 }),
    aspect: fc.double({ min: 0.25, max: 4, noNaN: true }),
    rotation: fc.constantFrom(0, 90, -90, 180, 270),
    sar: fc.option(fc.constantFrom(rational(1), rational(4, 3), rational(64, 45), rational(8, 9)), { nil: undefined }),
    frameRate: fc.option(fc.constantFrom(NTSC, rational(25), rational(60), rational(60000, 1001), rational(24), rational(50)), { nil: undefined }),
  })
  .map(({ width, aspect, rotation, sar, frameRate }) => ({
    width,
    height: Math.max(16, Math.round(width / aspect)),
    rotation,
    ...(sar === undefined ? {} : { sampleAspectRatio: sar }),
    ...(frameRate === undefined ? {} : { frameRate }),
  }));

test('property: rungs are even, within source, profile and level, keep the shape, one is cellular', () => {
  fc.assert(
    fc.property(anySource, fc.constantFrom(...PROFILE_NAMES), (source, profileName) => {
      const profile = DEVICE_PROFILES[profileName];
      const display = displaySize(source);
      const rungs = videoRungs(chooseLadder(source, profileName));
      assert.ok(rungs.some((rung) => rung.cellular && rung.video.bitrate <= CELLULAR_BITRATE_LIMIT));
      assert.equal(new Set(rungs.map((rung) => rung.id)).size, rungs.length, 'ids are unique');
      for (const [i, rung] of rungs.entries()) {
        assert.ok(rung.width % 2 === 0 && rung.height % 2 === 0, 'even');
        assert.ok(rung.width <= Math.max(2, display.width) && rung.height <= Math.max(2, display.height), 'not enlarged');
        assert.ok(Math.min(rung.width, rung.height) <= profile.maxShortSide, 'within the profile');
        assert.ok(macroblocks(rung) <= profile.h264.level.maxFrameMacroblocks, 'within the level frame size');
        const shapeError = Math.abs(rung.width * display.height - rung.height * display.width);
        assert.ok(shapeError <= 2 * (display.width + display.height), 'display aspect kept');
        if (rung.frameRate !== undefined) {
          assert.ok((macroblocks(rung) * rung.frameRate.num) / rung.frameRate.den <= profile.h264.level.maxMacroblocksPerSecond);
        }
        assert.ok(rung.bandwidth.peak >= rung.bandwidth.average);
        assert.ok(i === 0 || (rungs[i - 1]?.bandwidth.average ?? 0) < rung.bandwidth.average, 'lowest first');
      }
    }),
    { numRuns: 500 },
  );
});
