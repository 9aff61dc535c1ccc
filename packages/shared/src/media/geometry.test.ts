import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '../schedule/rational.js';
import { displaySize, even, fitScale, macroblocks, normalizeRotation, scaledEven } from './geometry.js';

test('rotation turns the displayed picture; only quarter turns are accepted', () => {
  assert.deepEqual(displaySize({ width: 1920, height: 1080, rotation: 90 }), { width: 1080, height: 1920 });
  assert.deepEqual(displaySize({ width: 1920, height: 1080, rotation: -90 }), { width: 1080, height: 1920 });
  assert.deepEqual(displaySize({ width: 1920, height: 1080, rotation: 180 }), { width: 1920, height: 1080 });
  assert.equal(normalizeRotation(-270), 90);
  assert.throws(() => normalizeRotation(45), RangeError);
  assert.throws(() => displaySize({ width: 0, height: 10 }), RangeError);
});

test('pixel aspect widens the picture before rotation', () => {
  assert.deepEqual(displaySize({ width: 1440, height: 1080, sampleAspectRatio: rational(4, 3) }), { width: 1920, height: 1080 });
  assert.deepEqual(displaySize({ width: 720, height: 576, sampleAspectRatio: rational(16, 15), rotation: 90 }), { width: 576, height: 768 });
});

test('fitting keeps the orientation of the picture', () => {
  assert.equal(fitScale({ width: 1080, height: 1920 }, { shortSide: 720, longSide: 1280 }), 2 / 3);
  assert.equal(fitScale({ width: 1280, height: 720 }, { shortSide: 720, longSide: 1280 }), 1);
  assert.ok(fitScale({ width: 320, height: 180 }, { shortSide: 234, longSide: 416 }) > 1);
});

test('sizes are even and never above the source', () => {
  assert.equal(even(533.33), 534);
  assert.equal(even(0.4), 2);
  assert.deepEqual(scaledEven({ width: 1279, height: 719 }, 1), { width: 1278, height: 718 });
  assert.deepEqual(scaledEven({ width: 1920, height: 800 }, 2 / 3), { width: 1280, height: 534 });
  assert.deepEqual(scaledEven({ width: 1920, height: 800 }, 3), { width: 1920, height: 800 });
  assert.equal(macroblocks({ width: 1920, height: 1080 }), 8160);
});
