/**
 * The ingest job against a real Redis, a real S3 API and ffmpeg: an upload that is already the
 * source has its opening made in place before it is checked, and a refusal found after that start
 * still comes out with its code and leaves nothing made from the upload behind.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_PROFILES, createLogger, isKilnError, sourceObjectKey, uploadObjectKey } from '@kiln/shared';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import { SegmentCache } from '../segments/cache.js';
import { startIngestRig, type IngestRig } from '../testing/ingest-rig.js';
import { discardIngest } from './discard.js';
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

test('an MP4 that needs nothing has its opening made in place: ready, opening pinned, the source a copy of the upload', async () => {
  const bytes = await readFile(join(MEDIA, 'h264-aac-moov-at-end-15s.mp4'));
  steps.length = 0;
  await rig.uploaded('inplace', bytes);
  const { storage, redis, keys } = rig.harness;
  await runIngest('inplace', dependencies(), new AbortController().signal);
  assert.ok(steps.includes('segment 0 in place'), `steps: ${steps.join(', ')}`);
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

test('a refusal found after the opening started in place still comes out, and nothing made from the upload is kept', async () => {
  steps.length = 0;
  const { storage, redis, keys } = rig.harness;
  await rig.uploaded('cut', declaringLonger(await readFile(join(MEDIA, 'h264-aac-faststart-10s.mp4'))));
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
