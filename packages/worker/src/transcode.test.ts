/**
 * The worker end to end, in process: real Redis, a real S3 API (s3rver), real ffmpeg, the HTTP
 * routes through `inject`. The source is a 60 s moov-at-end MP4 at 320×180, so each test encodes
 * the lowest rung (`legacy-180p`) in a second or two.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentAt, segmentObjectKey, toNumber, type VideoPlan } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type RedisService, type S3Service } from '@kiln/shared/testing';
import { buildWorkerApp } from './http/app.js';
import { expectedStartTicks } from './transcode/boundaries.js';
import type { Harness } from './testing/harness.js';
import { audioEndTicks, decodeFrames, leadingPids, makeSource, silentLog, startHarness, waitFor } from './testing/harness.js';

const RENDITION = 'legacy-180p';
let services: { redis: RedisService; s3: S3Service; stop(): Promise<void> };
let mediaDir: string;
let sourcePath: string;
let harness: Harness | undefined;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  mediaDir = await makeTempDir('worker-media');
  sourcePath = await makeSource(mediaDir);
});
afterEach(async () => {
  await harness?.close(); // asserts: no ffmpeg left, scratch empty
  harness = undefined;
});
after(async () => {
  await services.stop();
  await removeTempDir(mediaDir);
});

async function planOf(h: Harness, videoId: string, rendition = RENDITION): Promise<VideoPlan> {
  const { plan } = await h.manager.rendition(videoId, rendition);
  assert.equal(plan.kind, 'video');
  return plan;
}

test('segment 0 of a moov-at-end source is served, and every segment matches the plan to the frame and decodes alone', async () => {
  harness = await startHarness(services);
  await harness.upload('v-all', sourcePath);
  const app = buildWorkerApp({ log: silentLog, worker: { id: 'w', role: 'ondemand' }, snapshot: harness.manager.snapshot, transcodes: harness.manager });
  const first = await app.inject({ method: 'GET', url: `/segments/v-all/${RENDITION}/0.ts` });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.headers['content-type'], 'video/mp2t');
  const plan = await planOf(harness, 'v-all');
  assert.equal(plan.segments.length, 15);
  for (let index = 0; index < plan.segments.length; index += 1) {
    const response = index === 0 ? first : await app.inject({ method: 'GET', url: `/segments/v-all/${RENDITION}/${index}.ts` });
    assert.equal(response.statusCode, 200, `segment ${index}: ${response.body}`);
    const bytes = response.rawPayload;
    assert.deepEqual(leadingPids(bytes).slice(0, 1), [0], `segment ${index} opens with the PAT`);
    const frames = await decodeFrames(bytes);
    const planned = segmentAt(plan, index);
    assert.equal(frames.length, planned.frameCount, `segment ${index} frames`);
    assert.equal(frames[0]?.key, true, `segment ${index} starts with a key frame`);
    assert.equal(frames[0]?.pts, expectedStartTicks(plan, index), `segment ${index} first PTS`);
  }
  assert.equal(harness.manager.listRuns().length, 1, 'one run made them all');
  await waitFor(async () => (await harness!.redis.hlen(harness!.keys.segmentIndex('v-all', RENDITION))) === 15, 'every segment cached');
  const again = await app.inject({ method: 'GET', url: `/segments/v-all/${RENDITION}/3.ts` });
  assert.equal(again.statusCode, 200);
  await app.close();
});

test('each segment\'s audio ends within an AAC frame of its video\'s end, at cuts inside runs and at a run\'s end', async () => {
  harness = await startHarness(services);
  const h = harness;
  await h.upload('v-audio', sourcePath);
  const rendition = 'mobile-180p';
  const plan = await planOf(h, 'v-audio', rendition);
  const aacFrame = (1024 / 48_000) * 90_000;
  // A run from 6, then one from 0 that stops where it began: cuts inside both runs, and segment 5 at a run's end.
  const ends: string[] = [];
  for (const index of [6, 0, 1, 2, 3, 4, 5, 7]) {
    const { bytes } = await h.manager.segment('v-audio', rendition, index);
    const videoEnd = expectedStartTicks(plan, index + 1);
    const late = (await audioEndTicks(bytes)) - videoEnd;
    ends.push(`${index}: ${late} ticks`);
    // Audio packets carry the time of the frame before their samples (AAC priming): a cut may leave a segment up to a frame short
    // (ffmpeg-args.ts `audioPreloadArgs`, `stopTime`), never one ending far before its video nor running into the next segment.
    assert.ok(late >= -aacFrame - 1 && late <= aacFrame + 1, `segment ${index}'s audio ends ${late} ticks from its video's end`);
  }
  assert.deepEqual(h.manager.listRuns().map((run) => run.from).sort((a, b) => a - b), [0, 6], ends.join(', '));
});

test('a request far ahead starts a new run there, skips what lies between, and the runs join without a gap', async () => {
  harness = await startHarness(services, { runAhead: 2, seekDistance: 3 });
  const h = harness;
  await h.upload('v-seek', sourcePath);
  await h.manager.segment('v-seek', RENDITION, 0);
  const runA = h.manager.listRuns()[0];
  await waitFor(() => h.manager.listRuns().find((run) => run.id === runA.id)?.state === 'paused', 'run A paused ahead of its player');
  assert.equal(h.manager.listRuns().find((run) => run.id === runA.id)?.lastClosed, 2, 'run A is at segment 2');
  const ten = await h.manager.segment('v-seek', RENDITION, 10);
  const runB = h.manager.listRuns().find((run) => run.id !== runA.id)!;
  assert.equal(runB.from, 10, 'the seek started a run at 10');
  assert.equal(ten.runId, runB.id);
  for (let index = 3; index <= 9; index += 1) {
    assert.equal(h.manager.store.has(`v-seek/${RENDITION}/${index}`), false, `segment ${index} was not encoded`);
  }
  assert.equal(h.manager.listRuns().find((run) => run.id === runA.id)?.lastClosed, 2);
  let nine: Buffer | undefined;
  for (let index = 3; index <= 9; index += 1) {
    const served = await h.manager.segment('v-seek', RENDITION, index);
    assert.equal(served.runId, runA.id, `segment ${index} comes from run A`);
    if (index === 9) nine = served.bytes;
  }
  await waitFor(() => h.manager.listRuns().find((run) => run.id === runA.id)?.state === 'finished', 'run A stops where run B began');
  const plan = await planOf(h, 'v-seek');
  const frames = await decodeFrames(Buffer.concat([nine!, ten.bytes]));
  const frameTicks = 90_000 / toNumber(plan.frameRate);
  const gaps = frames.slice(1).map((frame, i) => frame.pts - frames[i].pts);
  assert.ok(gaps.every((gap) => gap > 0 && gap <= frameTicks + 1), `no gap over one frame: ${JSON.stringify([...new Set(gaps)])}`);
  assert.equal(frames.length, segmentAt(plan, 9).frameCount + segmentAt(plan, 10).frameCount);
});

test('an idle transcode is paused, resumed by a request, then killed after the idle limit', async () => {
  harness = await startHarness(services, { runAhead: 2, idleMs: 1_500 });
  const h = harness;
  await h.upload('v-idle', sourcePath);
  await h.manager.segment('v-idle', RENDITION, 0);
  const run = () => h.manager.listRuns()[0];
  await waitFor(() => run().state === 'paused', 'the run paused');
  assert.equal(run().lastClosed, 2);
  const served = await h.manager.segment('v-idle', RENDITION, 2);
  assert.equal(served.source, 'memory');
  await waitFor(() => run().lastClosed >= 4, 'the request resumed it');
  await waitFor(() => run().state === 'paused' && run().lastClosed === 4, 'paused again two ahead of segment 2');
  await waitFor(() => run().state === 'stopped', 'killed after the idle limit', 10_000);
  assert.equal(run().endReason, 'idle');
});

test('a run a client waits on is not idle, however long its segment takes; once served, the idle clock starts', async () => {
  // The idle limit far below the time to a first segment (source opened, ffmpeg started, 2 s encoded).
  harness = await startHarness(services, { runAhead: 1, idleMs: 40 });
  const h = harness;
  await h.upload('v-slow', sourcePath);
  const served = await h.manager.segment('v-slow', RENDITION, 0);
  assert.ok(served.bytes.length > 0);
  assert.equal(served.source, 'memory');
  const run = () => h.manager.listRuns().find((entry) => entry.video === 'v-slow');
  await waitFor(() => run()?.state === 'stopped', 'stopped once nobody waits');
  assert.equal(run()?.endReason, 'idle');
});

test('at capacity, a paused run gives its slot to another video (the refusal of an encoding one: process.test.ts)', async () => {
  harness = await startHarness(services, { capacity: 1, runAhead: 1, idleMs: 60_000 });
  const h = harness;
  await Promise.all([h.upload('v-held', sourcePath), h.upload('v-new', sourcePath)]);
  await h.manager.segment('v-held', RENDITION, 0);
  const held = () => h.manager.listRuns().find((run) => run.video === 'v-held');
  await waitFor(() => held()?.state === 'paused', 'the first run paused ahead of its player');
  assert.equal(h.manager.snapshot().active, 0, 'a paused run is no load');
  const served = await h.manager.segment('v-new', RENDITION, 0);
  assert.ok(served.bytes.length > 0);
  assert.equal(held()?.state, 'stopped');
  assert.equal(held()?.endReason, 'evicted for new work');
});

test('a session that switches rendition gets its slot from the run it left, which pauses at once', async () => {
  harness = await startHarness(services, { capacity: 1, runAhead: 100, idleMs: 60_000 });
  const h = harness;
  await h.upload('v-switch', sourcePath);
  await h.manager.segment('v-switch', RENDITION, 0, 's1');
  const left = () => h.manager.listRuns().find((run) => run.rendition === RENDITION);
  assert.equal(left()?.state, 'running', 'far from its run-ahead limit, the first run goes on');
  // Another session's request finds the worker full: the run is theirs, and it is encoding.
  await assert.rejects(h.manager.segment('v-switch', 'mobile-180p', 0, 's2'), { code: 'WORKER_FULL' });
  // Its own session switching away is not refused: the run it left pauses and gives up its slot.
  const served = await h.manager.segment('v-switch', 'mobile-180p', 0, 's1');
  assert.ok(served.bytes.length > 0);
  assert.equal(left()?.state, 'stopped');
  assert.equal(left()?.endReason, 'evicted for new work');
  assert.match(h.manager.metrics(), /kiln_worker_transcodes_left_total 1/);
});

test('a run takes its first segment from a low-latency output of the same ffmpeg unless told not to; /metrics counts runs and ffmpeg', async () => {
  // desktop: B-frames everywhere but in a split run's first segment, whose encoder holds no frame.
  for (const split of [true, false]) {
    harness = await startHarness(services, { runAhead: 1000, firstSegmentAlone: split });
    await harness.upload('v-split', sourcePath);
    const plan = await planOf(harness, 'v-split', 'desktop-180p');
    const bFrames: number[] = [];
    for (let index = 0; index < plan.segments.length; index += 1) {
      const served = await harness.manager.segment('v-split', 'desktop-180p', index);
      const frames = await decodeFrames(served.bytes);
      assert.equal(frames.length, segmentAt(plan, index).frameCount, `split ${split}, segment ${index}`);
      bFrames.push(frames.filter((frame) => frame.type === 'B').length);
    }
    assert.equal(bFrames[0] === 0, split, `split ${split}: B-frames in segment 0: ${bFrames[0]}`);
    assert.ok(bFrames.slice(1).every((count) => count > 0), `split ${split}: B-frames per segment ${bFrames.join(',')}`);
    const app = buildWorkerApp({ log: silentLog, worker: { id: 'w', role: 'ondemand' }, snapshot: harness.manager.snapshot, transcodes: harness.manager });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^kiln_worker_transcodes_started_total 1$/m, `split ${split}`);
    assert.match(metrics.body, /^kiln_worker_ffmpeg_started_total 1$/m, `split ${split}`);
    assert.match(metrics.body, new RegExp(`^kiln_worker_segments_made_total ${plan.segments.length}$`, 'm'));
    await harness.close();
    harness = undefined;
  }
});

test('the plain-range fallback source (no fast-start view) makes the same segment 0', async () => {
  harness = await startHarness(services, { source: 'storage-range', runAhead: 1 });
  await harness.upload('v-plain', sourcePath);
  const served = await harness.manager.segment('v-plain', RENDITION, 0);
  const plan = await planOf(harness, 'v-plain');
  const frames = await decodeFrames(served.bytes);
  assert.equal(frames.length, segmentAt(plan, 0).frameCount);
  assert.equal(frames[0]?.pts, expectedStartTicks(plan, 0));
});

test('a segment removed from the cache after it was made (retention, a deleted video) is made again, not waited for', async () => {
  // A small memory store, so segment 0 is long gone from memory once the run has made the others.
  harness = await startHarness(services, { memoryBytes: 100 * 1024, segmentWaitMs: 5_000 });
  const h = harness;
  await h.upload('v-evicted', sourcePath);
  await h.manager.segment('v-evicted', RENDITION, 0);
  await waitFor(async () => (await h.redis.hlen(h.keys.segmentIndex('v-evicted', RENDITION))) === 15, 'every segment cached');
  // What retention does: the index entry first, then the object.
  await h.redis.hdel(h.keys.segmentIndex('v-evicted', RENDITION), '0');
  await h.storage.deleteMany([segmentObjectKey('v-evicted', RENDITION, 0)]);
  const again = await h.manager.segment('v-evicted', RENDITION, 0);
  assert.equal(again.source, 'memory', 'made by a new run');
  const frames = await decodeFrames(again.bytes);
  assert.equal(frames.length, segmentAt(await planOf(h, 'v-evicted'), 0).frameCount);
});
