import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRates, rateFigures, renditionOf } from './played-rates.js';

const variant = { url: 'http://api/play/v/s/mobile-234p/index.m3u8', bandwidth: 180_000, averageBandwidth: 150_000, codecs: '' };
const steady = (bytes: number, count: number) => Array.from({ length: count }, () => ({ bytes, duration: 2 }));

test('within both bounds: no problem', () => {
  const check = judgeRates('mobile-234p', variant, steady(37_500, 4), 2);
  assert.equal(check.average, 150_000);
  assert.equal(check.peak, 150_000);
  assert.deepEqual(check.problems, []);
  assert.match(rateFigures(check), /^mobile-234p peak 150\.0 kb\/s \/ BANDWIDTH 180\.0 kb\/s \(-16\.7 %\)/);
});

test('a peak more than 10 % over BANDWIDTH, or an average more than 10 % off, is a problem', () => {
  const burst = [...steady(37_500, 3), { bytes: 50_000, duration: 2 }];
  assert.deepEqual(judgeRates('r', variant, burst, 2).problems, ['peak 200.0 kb/s is +11.1 % over BANDWIDTH 180.0 kb/s']);
  const thin = judgeRates('r', variant, steady(33_000, 4), 2);
  assert.deepEqual(thin.problems, ['average 132.0 kb/s is -12.0 % off AVERAGE-BANDWIDTH 150.0 kb/s']);
  assert.deepEqual(judgeRates('r', variant, steady(42_000, 4), 2).problems, ['average 168.0 kb/s is +12.0 % off AVERAGE-BANDWIDTH 150.0 kb/s']);
});

test('a stream shorter than any peak window has its average as its peak; no AVERAGE-BANDWIDTH means BANDWIDTH', () => {
  const check = judgeRates('r', { ...variant, averageBandwidth: undefined }, [{ bytes: 10_000, duration: 0.4 }], 1);
  assert.equal(check.peak, 200_000);
  assert.equal(check.declaredAverage, 180_000);
});

test('the rendition is the variant URL\'s last directory', () => {
  assert.equal(renditionOf(variant.url), 'mobile-234p');
  assert.throws(() => renditionOf('http://api/index.m3u8'));
});
