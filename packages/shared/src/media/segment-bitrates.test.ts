import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageBitrate, peakSegmentBitrate } from './segment-bitrates.js';

test('the peak window spans 0.5…1.5 target durations: a short segment counts only with its neighbours', () => {
  const segments = [
    { bytes: 100_000, duration: 2 },
    { bytes: 100_000, duration: 2 },
    { bytes: 360_000, duration: 4 },
    { bytes: 120_000, duration: 1 },
  ];
  // Alone, the 1 s tail (960 kbit/s) is shorter than 2.5 s; with the 4 s before it (720 kbit/s), 768 kbit/s.
  assert.equal(peakSegmentBitrate(segments, 5), ((360_000 + 120_000) * 8) / 5);
  assert.equal(peakSegmentBitrate(segments.slice(0, 1), 5), undefined);
  assert.equal(averageBitrate(segments), (680_000 * 8) / 9);
  assert.throws(() => averageBitrate([]), RangeError);
});
