import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEvictions, type IndexedSegment } from './policy.js';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2031-06-01T00:00:00Z');
const limits = { now: NOW, maxAgeMs: 30 * DAY, maxBytes: 1_000_000 };

function segment(index: number, accessedDaysAgo: number, extra: Partial<IndexedSegment> = {}): IndexedSegment {
  return { videoId: 'v', renditionId: 'r', index, bytes: 100, accessed: NOW - accessedDaysAgo * DAY, pinned: false, videoExists: true, ...extra };
}

const chosen = (segments: IndexedSegment[], overrides: Partial<typeof limits> = {}) =>
  chooseEvictions(segments, { ...limits, ...overrides }).map(({ segment: s, reason }) => `${s.videoId}/${s.renditionId}/${s.index}:${reason}`);

test('segments expire the moment their last access is max age old, not before', () => {
  const segments = [segment(0, 29.99), segment(1, 30), segment(2, 400)];
  assert.deepEqual(chosen(segments), ['v/r/2:expired', 'v/r/1:expired']);
});

test('pinned openings are never expired or evicted while the video exists', () => {
  const segments = [segment(0, 400, { pinned: true }), segment(1, 400, { pinned: true, bytes: 5_000_000 }), segment(2, 1)];
  assert.deepEqual(chosen(segments), ['v/r/2:over-budget']);
  assert.deepEqual(chosen(segments.slice(0, 2)), [], 'pinned bytes alone over the budget evict nothing');
});

test('pins of a video whose record is gone protect nothing', () => {
  assert.deepEqual(chosen([segment(0, 400, { pinned: true, videoExists: false })]), ['v/r/0:expired']);
});

test('over the byte budget, the least recently used go first, until the cache fits', () => {
  const segments = [segment(0, 1), segment(1, 5), segment(2, 3), segment(3, 2)];
  assert.deepEqual(chosen(segments, { maxBytes: 250 }), ['v/r/1:over-budget', 'v/r/2:over-budget']);
  assert.deepEqual(chosen(segments, { maxBytes: 400 }), [], 'exactly at the budget is within it');
});

test('expired bytes count as freed before the budget evicts anything', () => {
  const segments = [segment(0, 40, { bytes: 300 }), segment(1, 2), segment(2, 1)];
  assert.deepEqual(chosen(segments, { maxBytes: 200 }), ['v/r/0:expired']);
  assert.deepEqual(chosen(segments, { maxBytes: 100 }), ['v/r/0:expired', 'v/r/1:over-budget']);
});

test('ties in last access are broken by video, rendition and number', () => {
  const segments = [segment(10, 1, { videoId: 'b' }), segment(2, 1, { renditionId: 's' }), segment(10, 1), segment(9, 1), segment(1, 1, { videoId: 'a' })];
  assert.deepEqual(chosen(segments, { maxBytes: 0 }), ['a/r/1:over-budget', 'b/r/10:over-budget', 'v/r/9:over-budget', 'v/r/10:over-budget', 'v/s/2:over-budget']);
});
