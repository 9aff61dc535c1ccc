import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '@kiln/shared';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import { openingRenditions, openingRuns } from './opening.js';
import { Slots } from './slots.js';

const facts: TranscodeFacts = {
  duration: rational(15),
  video: { index: 0, codec: 'h264', width: 640, height: 360, rotation: 0, frameRate: rational(30), interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000 },
};

test('the whole opening of both profiles is one ladder run from segment 0, whatever their frame rates', () => {
  const source60: TranscodeFacts = { ...facts, video: { ...facts.video!, width: 1920, height: 1080, frameRate: rational(60) } };
  const renditions = openingRenditions(source60, ['mobile', 'desktop']);
  assert.ok(new Set(renditions.map(({ rung }) => (rung.kind === 'video' ? rung.frameRate?.num : 0))).size > 1, 'renditions of several frame rates');
  const runs = openingRuns(renditions, new Map());
  assert.deepEqual(runs.map((run) => [run.from, run.until, run.renditions.map((rendition) => rendition.id)]), [[0, 3, renditions.map((rendition) => rendition.id)]]);
});

test('cached opening segments are not made again: a rendition starts at its first missing one, in a run of its own start', () => {
  const [first, second, third] = openingRenditions(facts, ['mobile', 'desktop']);
  assert.ok(first !== undefined && second !== undefined && third !== undefined);
  const cached = new Map([[first.id, new Set([0, 1, 2])], [second.id, new Set([0, 1])], [third.id, new Set([1])]]);
  assert.deepEqual(openingRuns([first, second, third], cached).map((run) => [run.renditions.map((r) => r.id), run.from, run.until]), [[[third.id], 0, 3], [[second.id], 2, 3]]);
  const short = openingRenditions({ ...facts, duration: rational(3) }, ['mobile']);
  assert.deepEqual(openingRuns(short, new Map()).map((run) => [run.from, run.until, run.renditions.length]), [[0, 2, short.length]]);
});

test('audio-only sources get their audio renditions', () => {
  const audioOnly: TranscodeFacts = { duration: facts.duration, ...(facts.audio === undefined ? {} : { audio: facts.audio }) };
  const renditions = openingRenditions(audioOnly, ['mobile', 'desktop']);
  assert.ok(renditions.length > 0);
  assert.ok(renditions.every((rendition) => rendition.rung.kind === 'audio'));
});

test('slots never run more than their capacity at once', async () => {
  const slots = new Slots(2);
  let running = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 6 }, () => slots.use(async () => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setImmediate(resolve));
    running -= 1;
  })));
  assert.equal(most, 2);
  assert.equal(slots.active, 0);
});
