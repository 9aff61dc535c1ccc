/**
 * The ingest job against a real Redis, a real S3 API and ffmpeg: an upload that is already the
 * source has its opening made in place before it is checked, and a refusal found after that start
 * still comes out with its code and leaves nothing made from the upload behind.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_PROFILES, createLogger, createVideoStore, isKilnError, rational, sourceObjectKey, uploadObjectKey, type VideoStore } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type Services } from '@kiln/shared/testing';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import { DEFAULT_LIMITS } from '../ingest/index.js';
import { SegmentCache } from '../segments/cache.js';
import { assertNoLeftovers, silentLog, startHarness, type Harness } from '../testing/harness.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import { ProcessRegistry } from '../transcode/processes.js';
import { discardIngest } from './discard.js';
import { openingLength, openingRenditions } from './opening.js';
import { runIngest, type IngestDependencies } from './ingest.js';
import { JobScratch } from './scratch.js';
import { Slots } from './slots.js';

const MEDIA = sampleMediaDirectory();
let services: Services<{ redis: true; s3: true }>;
let harness: Harness;
let videos: VideoStore;
let dir: string;
let processes: ProcessRegistry;
const steps: string[] = [];

before(async () => {
  services = await startServices({ redis: true, s3: true });
  harness = await startHarness(services);
  videos = createVideoStore(harness.redis, harness.keys);
  dir = await makeTempDir('kiln-ingest-job-');
  processes = new ProcessRegistry(join(dir, 'pids'), silentLog);
  await processes.killLeftovers();
});
after(async () => {
  await harness.close();
  await services.stop();
  await removeTempDir(dir);
});
afterEach(async () => {
  await processes.settle();
  await assertNoLeftovers(join(dir, 'pids'));
  assert.deepEqual(await readdir(join(dir, 'jobs')), [], 'job scratch removed');
});

/** The ingest steps the job logged (debug lines), to tell which path it took. */
function dependencies(): IngestDependencies {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { msg?: string; step?: string };
        if (entry.msg === 'ingest step' && entry.step !== undefined) steps.push(entry.step);
      }
      done();
    },
  });
  const log = createLogger({ name: 'ingest-test', level: 'debug', destination: lines });
  const { storage, redis, keys } = harness;
  const opening = {
    opener: fastStartSource(storage), cache: new SegmentCache(storage, redis, keys), processes,
    slots: new Slots(2), log, preset: 'ultrafast' as const,
  };
  return { storage, redis, keys, videos, scratch: new JobScratch(join(dir, 'jobs')), limits: DEFAULT_LIMITS, opening, log };
}

async function uploaded(id: string, bytes: Buffer): Promise<void> {
  await harness.storage.put(uploadObjectKey(id), bytes);
  await videos.save({ id, state: 'processing', sourceKey: sourceObjectKey(id), size: bytes.length, duration: rational(0), hasAudio: false, createdAt: Date.now() });
}

/** The MP4 with its movie header (mvhd, version 0) declaring three times its length: its packets say it was cut. */
function declaringLonger(mp4: Buffer): Buffer {
  const copy = Buffer.from(mp4);
  const duration = copy.indexOf('mvhd', 0, 'latin1') + 20;
  copy.writeUInt32BE(copy.readUInt32BE(duration) * 3, duration);
  return copy;
}

test('an MP4 that needs nothing has its opening made in place: ready, opening pinned, the source a copy of the upload', async () => {
  const bytes = await readFile(join(MEDIA, 'h264-aac-moov-at-end-15s.mp4'));
  steps.length = 0;
  await uploaded('inplace', bytes);
  const { storage, redis, keys } = harness;
  await runIngest('inplace', dependencies(), new AbortController().signal);
  assert.ok(steps.includes('segment 0 in place'), `steps: ${steps.join(', ')}`);
  const record = await videos.find('inplace');
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

test('a refusal found after the opening started in place still comes out, and nothing made from the upload is kept', async () => {
  steps.length = 0;
  const { storage, redis, keys } = harness;
  await uploaded('cut', declaringLonger(await readFile(join(MEDIA, 'h264-aac-faststart-10s.mp4'))));
  const deps = dependencies();
  await assert.rejects(runIngest('cut', deps, new AbortController().signal), (error) => isKilnError(error) && error.code === 'TRUNCATED');
  assert.ok(steps.includes('segment 0 in place'), `steps: ${steps.join(', ')}`);
  assert.ok((await redis.keys(keys.segmentIndexPattern('cut'))).length > 0, 'segments were made before the verdict');
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
