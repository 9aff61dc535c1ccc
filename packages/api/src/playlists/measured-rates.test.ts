import { test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentAt, toNumber, type SegmentPlan } from '@kiln/shared';
import { sampleVideo } from '../testing/sample-videos.js';
import { withMeasuredAverage } from './measured-rates.js';
import { renditionsFor } from './renditions.js';

const [lowest] = renditionsFor(sampleVideo({ id: 'v1' }), 'mobile');
const rendition = lowest ?? assert.fail('a rendition');
const { peak, average: modelled } = rendition.rung.bandwidth;
/** Entries whose bytes carry `bitsPerSecond` over each segment's planned (frame-exact) duration. */
const entries = (bitsPerSecond: number, indexes: number[], plan: SegmentPlan = rendition.plan) =>
  new Map(indexes.map((index) => [index, { bytes: (toNumber(segmentAt(plan, index).duration) * bitsPerSecond) / 8 }]));
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1, `${actual} ≈ ${expected}`);

test('seven cached seconds declare their measured average; fewer keep the model; the peak caps it', () => {
  near(withMeasuredAverage(rendition, entries(100_000, [0, 1, 2])).rung.bandwidth.average, 100_000);
  assert.equal(withMeasuredAverage(rendition, entries(100_000, [0, 1, 2])).rung.bandwidth.peak, peak, 'the peak stays the bound');
  assert.equal(withMeasuredAverage(rendition, entries(100_000, [0, 1])).rung.bandwidth.average, modelled);
  assert.equal(withMeasuredAverage(rendition, new Map()).rung.bandwidth.average, modelled);
  assert.equal(withMeasuredAverage(rendition, entries(peak * 3, [0, 1, 2])).rung.bandwidth.average, peak);
});

test('a short video wholly cached declares its measured average however short', () => {
  const short = renditionsFor(sampleVideo({ id: 'v2', duration: { num: 3, den: 1 } }), 'mobile')[0] ?? assert.fail('a rendition');
  assert.equal(short.plan.segments.length, 2);
  near(withMeasuredAverage(short, entries(100_000, [0, 1], short.plan)).rung.bandwidth.average, 100_000);
});

test('a video wholly cached declares the peak its segments measure when the model\'s is lower, never less', () => {
  const short = renditionsFor(sampleVideo({ id: 'v3', duration: { num: 3, den: 1 } }), 'mobile')[0] ?? assert.fail('a rendition');
  const modelPeak = short.rung.bandwidth.peak;
  const heavy = withMeasuredAverage(short, entries(modelPeak * 2, [0, 1], short.plan)).rung.bandwidth;
  near(heavy.peak, modelPeak * 2);
  near(heavy.average, modelPeak * 2);
  assert.equal(withMeasuredAverage(short, entries(1000, [0, 1], short.plan)).rung.bandwidth.peak, modelPeak);
  assert.equal(withMeasuredAverage(rendition, entries(peak * 3, [0, 1, 2])).rung.bandwidth.peak, peak, 'a partly cached rendition keeps the bound');
});

test('segment 0 counts as it weighs; the uncached rest is predicted at the rate of the cached segments after it', () => {
  const opening = new Map([...entries(300_000, [0]), ...entries(60_000, [1, 2])]);
  const plan = rendition.plan;
  const total = plan.segments.reduce((sum, _, index) => sum + toNumber(segmentAt(plan, index).duration), 0);
  const first = toNumber(segmentAt(plan, 0).duration);
  near(withMeasuredAverage(rendition, opening).rung.bandwidth.average, Math.ceil((300_000 * first + 60_000 * (total - first)) / total));
});
