import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AAC_LC_CODEC, avcCodecString, codecsAttribute } from './codecs.js';
import { DEVICE_PROFILES, PROFILE_NAMES, parseProfile, profileNameSchema } from './profiles.js';
import { RUNGS } from './ladder.js';
import { macroblocks } from './geometry.js';

test('CODECS strings come from profile_idc, constraint flags and level_idc', () => {
  assert.equal(avcCodecString(DEVICE_PROFILES.legacy.h264), 'avc1.42c01e');
  assert.equal(avcCodecString(DEVICE_PROFILES.mobile.h264), 'avc1.4d401f');
  assert.equal(avcCodecString(DEVICE_PROFILES.desktop.h264), 'avc1.640028');
  // What x264 writes for Constrained Baseline 3.0 (constraint_set0 and set1 only).
  assert.equal(avcCodecString({ profileIdc: 66, constraintFlags: 0xc0, level: { idc: 30 } as never }), 'avc1.42c01e');
  assert.throws(() => avcCodecString({ profileIdc: 256, constraintFlags: 0, level: { idc: 30 } as never }), RangeError);
});

test('the CODECS attribute lists the streams a rendition has', () => {
  assert.equal(codecsAttribute({ video: DEVICE_PROFILES.legacy.h264, audio: true }), 'avc1.42c01e,mp4a.40.2');
  assert.equal(codecsAttribute({ video: DEVICE_PROFILES.desktop.h264, audio: false }), 'avc1.640028');
  assert.equal(codecsAttribute({ audio: true }), AAC_LC_CODEC);
  assert.throws(() => codecsAttribute({ audio: false }), RangeError);
});

test('profiles keep the design: legacy Baseline 3.0 ≤ 480p, 1 ref, no B-frames, AAC 64k', () => {
  const { legacy, mobile, desktop } = DEVICE_PROFILES;
  assert.deepEqual([legacy.h264.profile, legacy.h264.level.name, legacy.maxShortSide, legacy.h264.refs, legacy.h264.bFrames, legacy.audioBitrate], ['baseline', '3.0', 480, 1, 0, 64_000]);
  assert.deepEqual([mobile.h264.profile, mobile.h264.level.name, mobile.maxShortSide, mobile.audioBitrate], ['main', '3.1', 720, 128_000]);
  assert.deepEqual([desktop.h264.profile, desktop.h264.level.name, desktop.maxShortSide, desktop.audioBitrate], ['high', '4.0', 1080, 128_000]);
});

test("each profile's largest rung fits its level's frame size", () => {
  for (const name of PROFILE_NAMES) {
    const profile = DEVICE_PROFILES[name];
    for (const rung of RUNGS.filter((spec) => spec.shortSide <= profile.maxShortSide)) {
      const blocks = macroblocks({ width: rung.longSide, height: rung.shortSide });
      assert.ok(blocks <= profile.h264.level.maxFrameMacroblocks, `${rung.id} on ${name}`);
      assert.ok(rung.videoBitrate * 1.1 <= profile.h264.level.maxBitrate);
    }
  }
});

test('parseProfile accepts the three names and nothing else', () => {
  for (const name of PROFILE_NAMES) assert.equal(parseProfile(name), name);
  for (const bad of ['Legacy', ' mobile', 'tv', '', undefined, null, 42, ['desktop'], 'toString', '__proto__']) {
    assert.throws(() => parseProfile(bad), { code: 'PROFILE_UNKNOWN', httpStatus: 400 }, String(bad));
  }
  assert.equal(profileNameSchema.safeParse('desktop').success, true);
  assert.equal(profileNameSchema.safeParse('hd').success, false);
});
