/**
 * Crafted uploads through the whole ingest job (real Redis, a real S3 API, ffmpeg): playlists and
 * manifests naming a local file or a loopback URL, disguised as MP4 or not. Each is refused as
 * NOT_A_VIDEO, the canary server gets no request, and nothing the job wrote holds the canary.
 * Concat scripts and image-sequence names are left to the inspection's own test: the job keeps
 * an upload as `upload` in its scratch directory, where their relative names point at nothing.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createVideoStore, isKilnError, rational, sourceObjectKey, uploadObjectKey, type VideoStore } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type Services } from '@kiln/shared/testing';
import { DEFAULT_LIMITS } from '../ingest/index.js';
import { SegmentCache } from '../segments/cache.js';
import { assertNoLeftovers, silentLog, startHarness, type Harness } from '../testing/harness.js';
import { holdsCanary, hostileContents, startCanary, type Canary } from '../testing/hostile-inputs.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import { ProcessRegistry } from '../transcode/processes.js';
import { runIngest, type IngestDependencies } from './ingest.js';
import { JobScratch } from './scratch.js';
import { Slots } from './slots.js';

const JOB_INPUTS = ['hls-local.m3u8', 'hls-local-disguised.mp4', 'hls-http-disguised.mp4', 'dash-local.mpd', 'dash-http.mpd'];

let services: Services<{ redis: true; s3: true }>;
let harness: Harness;
let videos: VideoStore;
let dir: string;
let processes: ProcessRegistry;
let canary: Canary;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  harness = await startHarness(services);
  videos = createVideoStore(harness.redis, harness.keys);
  dir = await makeTempDir('kiln-hostile-job-');
  processes = new ProcessRegistry(join(dir, 'pids'), silentLog);
  await processes.killLeftovers();
  canary = await startCanary(dir);
});
after(async () => {
  await canary.close();
  await harness.close();
  await services.stop();
  await removeTempDir(dir);
});
afterEach(async () => {
  await processes.settle();
  await assertNoLeftovers(join(dir, 'pids'));
  assert.deepEqual(await readdir(join(dir, 'jobs')), [], 'job scratch removed');
});

function dependencies(): IngestDependencies {
  const { storage, redis, keys } = harness;
  const opening = {
    opener: fastStartSource(storage), cache: new SegmentCache(storage, redis, keys), processes,
    slots: new Slots(1), log: silentLog, preset: 'ultrafast' as const,
  };
  return { storage, redis, keys, videos, scratch: new JobScratch(join(dir, 'jobs')), limits: DEFAULT_LIMITS, opening, log: silentLog };
}

/** Every object the job may have written for `id`, with its bytes. */
async function writtenFor(id: string): Promise<Map<string, Buffer>> {
  const written = new Map<string, Buffer>();
  for (const prefix of [`segments/${id}/`, sourceObjectKey(id)]) {
    for await (const object of harness.storage.list(prefix)) written.set(object.key, await harness.storage.getBytes(object.key));
  }
  return written;
}

/** What is wrong with the ingest of one crafted upload; undefined when it was refused and left nothing. */
async function problemOf(name: string, id: string): Promise<string | undefined> {
  const bytes = Buffer.from(hostileContents(canary).get(name)!);
  await harness.storage.put(uploadObjectKey(id), bytes);
  await videos.save({ id, state: 'processing', sourceKey: sourceObjectKey(id), size: bytes.length, duration: rational(0), hasAudio: false, createdAt: Date.now() });
  const code = await runIngest(id, dependencies(), new AbortController().signal).then(() => 'ready', (error: unknown) => (isKilnError(error) ? error.code : String(error)));
  const written = await writtenFor(id);
  const holding = [...written].filter(([, object]) => holdsCanary(object, canary)).map(([key]) => key);
  if (code !== 'NOT_A_VIDEO') return `${name}: ${code}${holding.length > 0 ? `, canary in ${holding.join(', ')}` : ''}`;
  if (written.size > 0) return `${name}: wrote ${[...written.keys()].join(', ')}`;
  return (await harness.redis.get(harness.keys.sourceFacts(id))) === null ? undefined : `${name}: facts published`;
}

test('each crafted upload fails its ingest as NOT_A_VIDEO, reaches nothing and writes nothing', async () => {
  const problems: string[] = [];
  for (const [index, name] of JOB_INPUTS.entries()) {
    problems.push(...[await problemOf(name, `hostile${index}`)].filter((problem) => problem !== undefined));
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(canary.requests, []);
});
