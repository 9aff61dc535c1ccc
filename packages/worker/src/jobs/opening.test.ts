import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '@kiln/shared';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import { openingRenditions, openingTasks, type OpeningTask } from './opening.js';
import { Slots } from './slots.js';

const facts: TranscodeFacts = {
  duration: rational(15),
  video: { index: 0, codec: 'h264', width: 640, height: 360, rotation: 0, frameRate: rational(30), interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000 },
};

const pixels = (tasks: readonly OpeningTask[]) => tasks.map(({ rendition: { rung } }) => (rung.kind === 'video' ? rung.width * rung.height : 0));

test('the opening starts segment 0 of every rendition before the rest, the heaviest runs first', () => {
  const renditions = openingRenditions(facts, ['mobile', 'desktop']);
  assert.ok(renditions.length >= 2);
  const tasks = openingTasks(renditions, new Map());
  const [firsts, rest] = [tasks.slice(0, renditions.length), tasks.slice(renditions.length)];
  assert.deepEqual(firsts.map((task) => [task.from, task.until]), renditions.map(() => [0, 1]));
  assert.deepEqual(new Set(firsts.map((task) => task.rendition.id)), new Set(renditions.map((r) => r.id)));
  assert.deepEqual(rest.map((task) => [task.from, task.until]), renditions.map(() => [1, 3]));
  for (const group of [firsts, rest]) assert.deepEqual(pixels(group), [...pixels(group)].sort((a, b) => b - a));
  assert.ok(new Set(pixels(firsts)).size > 1, 'renditions of several sizes');
});

test('cached opening segments are not made again; a short source has a short opening', () => {
  const [first, second] = openingRenditions(facts, ['mobile']);
  assert.ok(first !== undefined && second !== undefined);
  const cached = new Map([[first.id, new Set([0, 1, 2])], [second.id, new Set([0, 1])]]);
  assert.deepEqual(openingTasks([first, second], cached).map((task) => [task.rendition.id, task.from, task.until]), [[second.id, 2, 3]]);
  const short = openingRenditions({ ...facts, duration: rational(3) }, ['mobile']);
  assert.deepEqual(openingTasks(short, new Map()).filter((task) => task.from > 0).map((task) => [task.from, task.until]), short.map(() => [1, 2]));
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
