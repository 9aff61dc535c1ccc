/**
 * The ingest job against a real Redis, a real S3 API and ffmpeg: an upload that is already the
 * source plays once the verdict is in and its copy is in place, before its opening is made and
 * pinned; a refusal comes out with its code and leaves nothing made from the upload behind.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_PROFILES, createLogger, isKilnError, sourceObjectKey, uploadObjectKey, type VideoStore } from '@kiln/shared';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import { SegmentCache } from '../segments/cache.js';
import { startIngestRig, type IngestRig } from '../testing/ingest-rig.js';
import { discardIngest, discardSegments } from './discard.js';
import { openingLength, openingRenditions } from './opening.js';
import { runIngest, type IngestDependencies } from './ingest.js';

const MEDIA = sampleMediaDirectory();
let rig: IngestRig;
const steps: string[] = [];

before(async () => {
  rig = await startIngestRig('kiln-ingest-job-');
});
after(async () => {
  await rig.stop();
});
afterEach(async () => {
  await rig.assertClean();
});

/** The job's dependencies, logging at debug into `steps` the ingest steps it took, to tell which path it was. */
function dependencies(): IngestDependencies {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { msg?: string; step?: string };
        if (entry.msg === 'ingest step' && entry.step !== undefined) steps.push(entry.step);
        if (entry.msg === 'pre-transcode started') steps.push('opening started');
      }
      done();
    },
  });
  return rig.dependencies({ log: createLogger({ name: 'ingest-test', level: 'debug', destination: lines }), slots: 2 });
}

/** The MP4 with its movie header (mvhd, version 0) declaring three times its length: its packets say it was cut. */
function declaringLonger(mp4: Buffer): Buffer {
  const copy = Buffer.from(mp4);
  const duration = copy.indexOf('mvhd', 0, 'latin1') + 20;
  copy.writeUInt32BE(copy.readUInt32BE(duration) * 3, duration);
  return copy;
}

/** The job's dependencies, with every record it writes noted in `updates` together with what was in place at that moment. */
function watchedDependencies(updates: { state: string; opening?: string; source: boolean; facts: boolean }[]): IngestDependencies {
  const deps = dependencies();
  const { storage, redis, keys } = rig.harness;
  const videos: VideoStore = {
    ...deps.videos,
    async update(videoId, change) {
      const written = await deps.videos.update(videoId, change);
      const record = await deps.videos.find(videoId);
      const source = (await storage.head(sourceObjectKey(videoId))) !== undefined;
      const facts = (await redis.exists(keys.sourceFacts(videoId))) === 1;
      if (record !== undefined) updates.push({ state: record.state, ...(record.opening === undefined ? {} : { opening: record.opening }), source, facts });
      return written;
    },
  };
  return { ...deps, videos };
}

test('an MP4 that needs nothing plays once checked, before its opening is made, then pinned; the source a copy of the upload', async () => {
  const bytes = await readFile(join(MEDIA, 'h264-aac-moov-at-end-15s.mp4'));
  steps.length = 0;
  await rig.uploaded('inplace', bytes);
  const { storage, redis, keys } = rig.harness;
  const updates: { state: string; opening?: string; source: boolean; facts: boolean }[] = [];
  await runIngest('inplace', watchedDependencies(updates), new AbortController().signal);
  assert.deepEqual(steps.filter((name) => !name.startsWith('inspect/')), ['download', 'inspect', 'normalize', 'source in place', 'opening started', 'opening'], 'the opening waits for the verdict');
  const playable = updates.findIndex((update) => update.state === 'ready');
  assert.deepEqual(updates[playable], { state: 'ready', opening: 'making', source: true, facts: true }, 'playable once the source and facts are in place, before the opening is pinned');
  assert.deepEqual(updates.at(-1), { state: 'ready', opening: 'pinned', source: true, facts: true });
  const record = await rig.videos.find('inplace');
  assert.equal(record?.state, 'ready');
  assert.ok(Buffer.compare(await storage.getBytes(sourceObjectKey('inplace')), bytes) === 0, 'the source is the upload, byte for byte');
  assert.equal(await storage.head(uploadObjectKey('inplace')), undefined);
  const facts = JSON.parse((await redis.get(keys.sourceFacts('inplace'))) ?? '{}') as Parameters<typeof openingRenditions>[0];
  const cache = new SegmentCache(storage, redis, keys);
  for (const rendition of openingRenditions(facts, DEFAULT_PROFILES)) {
    for (let index = 0; index < openingLength(rendition); index += 1) {
      assert.equal((await cache.entry('inplace', rendition.id, index))?.pinned, true, `${rendition.id}/${index} pinned`);
    }
  }
});

test('a refusal comes out with its code before anything is made, and nothing of the upload is kept', async () => {
  steps.length = 0;
  const { storage, redis, keys } = rig.harness;
  await rig.uploaded('cut', declaringLonger(await readFile(join(MEDIA, 'h264-aac-faststart-10s.mp4'))));
  const deps = dependencies();
  await assert.rejects(runIngest('cut', deps, new AbortController().signal), (error) => isKilnError(error) && error.code === 'TRUNCATED');
  assert.ok(!steps.includes('opening started'), `nothing is made before the verdict: ${steps.join(', ')}`);
  assert.notEqual((await rig.videos.find('cut'))?.state, 'ready', 'a refused upload never plays');
  // What the runner does with a failure that is final.
  await discardIngest('cut', deps);
  assert.deepEqual(await redis.keys(keys.segmentIndexPattern('cut')), []);
  assert.deepEqual((await redis.zrange(keys.segmentsByAccess(), '0', '-1')).filter((member) => member.startsWith('cut/')), []);
  const left: string[] = [];
  for (const prefix of ['segments/cut/', sourceObjectKey('cut'), uploadObjectKey('cut')]) {
    for await (const object of storage.list(prefix)) left.push(object.key);
  }
  assert.deepEqual(left, []);
});

test('a job run again once its video plays only makes the opening again, and pins it', async () => {
  const bytes = await readFile(join(MEDIA, 'h264-aac-faststart-10s.mp4'));
  await rig.uploaded('again', bytes);
  const deps = dependencies();
  await runIngest('again', deps, new AbortController().signal);
  // A worker died after the verdict: the video plays, its opening is not all there.
  await discardSegments('again', deps);
  await rig.videos.update('again', (record) => ({ ...record, opening: 'making' }));
  steps.length = 0;
  await runIngest('again', deps, new AbortController().signal);
  assert.deepEqual(steps, ['opening started', 'opening again'], 'no download, no inspection');
  const record = await rig.videos.find('again');
  assert.deepEqual([record?.state, record?.opening], ['ready', 'pinned']);
  const { storage, redis, keys } = rig.harness;
  const facts = JSON.parse((await redis.get(keys.sourceFacts('again'))) ?? '{}') as Parameters<typeof openingRenditions>[0];
  const cache = new SegmentCache(storage, redis, keys);
  for (const rendition of openingRenditions(facts, DEFAULT_PROFILES)) {
    assert.equal((await cache.entry('again', rendition.id, 0))?.pinned, true, `${rendition.id}/0 pinned`);
  }
});
