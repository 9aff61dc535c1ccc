/**
 * The ingest job's test rig: a real Redis and S3 API, the worker's harness, a process registry
 * whose leftovers are checked after each test, and the job's dependencies built from them.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createVideoStore, rational, sourceObjectKey, uploadObjectKey, type Logger, type VideoStore } from '@kiln/shared';
import { makeTempDir, removeTempDir, startServices, type Services } from '@kiln/shared/testing';
import { DEFAULT_LIMITS } from '../ingest/index.js';
import type { IngestDependencies } from '../jobs/ingest.js';
import { JobScratch } from '../jobs/scratch.js';
import { Slots } from '../jobs/slots.js';
import { SegmentCache } from '../segments/cache.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import { ProcessRegistry } from '../transcode/processes.js';
import { assertNoLeftovers, silentLog, startHarness, type Harness } from './harness.js';

export interface IngestRig {
  readonly harness: Harness;
  readonly videos: VideoStore;
  /** A temporary directory of the rig's own (job scratch, pid files); tests may add files. */
  readonly dir: string;
  readonly processes: ProcessRegistry;
  /** What `runIngest` needs, with `slots` ffmpeg slots and `log` (silent by default). */
  dependencies(options?: { readonly log?: Logger; readonly slots?: number }): IngestDependencies;
  /** An upload as the API leaves it: its bytes under `uploads/`, its record `processing`. */
  uploaded(id: string, bytes: Buffer): Promise<void>;
  /** For afterEach: no ffmpeg left, no pid file, the job scratch empty. */
  assertClean(): Promise<void>;
  stop(): Promise<void>;
}

export async function startIngestRig(prefix: string): Promise<IngestRig> {
  const services: Services<{ redis: true; s3: true }> = await startServices({ redis: true, s3: true });
  const harness = await startHarness(services);
  const videos = createVideoStore(harness.redis, harness.keys);
  const dir = await makeTempDir(prefix);
  const processes = new ProcessRegistry(join(dir, 'pids'), silentLog);
  await processes.killLeftovers();
  const { storage, redis, keys } = harness;
  return {
    harness, videos, dir, processes,
    dependencies({ log = silentLog, slots = 1 } = {}) {
      const opening = { opener: fastStartSource(storage), cache: new SegmentCache(storage, redis, keys), processes, slots: new Slots(slots), log, preset: 'ultrafast' as const };
      return { storage, redis, keys, videos, scratch: new JobScratch(join(dir, 'jobs')), limits: DEFAULT_LIMITS, opening, log };
    },
    async uploaded(id, bytes) {
      await storage.put(uploadObjectKey(id), bytes);
      await videos.save({ id, state: 'processing', sourceKey: sourceObjectKey(id), size: bytes.length, duration: rational(0), hasAudio: false, createdAt: Date.now() });
    },
    async assertClean() {
      await processes.settle();
      await assertNoLeftovers(join(dir, 'pids'));
      assert.deepEqual(await readdir(join(dir, 'jobs')), [], 'job scratch removed');
    },
    async stop() {
      await harness.close();
      await services.stop();
      await removeTempDir(dir);
    },
  };
}
