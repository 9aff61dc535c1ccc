/**
 * Crafted uploads through the whole ingest job (real Redis, a real S3 API, ffmpeg): playlists and
 * manifests naming a local file or a loopback URL, disguised as MP4 or not. Each is refused as
 * NOT_A_VIDEO, the canary server gets no request, and nothing the job wrote holds the canary.
 * Concat scripts and image-sequence names are left to the inspection's own test: the job keeps
 * an upload as `upload` in its scratch directory, where their relative names point at nothing.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError, sourceObjectKey } from '@kiln/shared';
import { holdsCanary, hostileContents, startCanary, type Canary } from '../testing/hostile-inputs.js';
import { startIngestRig, type IngestRig } from '../testing/ingest-rig.js';
import { runIngest } from './ingest.js';

const JOB_INPUTS = ['hls-local.m3u8', 'hls-local-disguised.mp4', 'hls-http-disguised.mp4', 'dash-local.mpd', 'dash-http.mpd'];

let rig: IngestRig;
let canary: Canary;

before(async () => {
  rig = await startIngestRig('kiln-hostile-job-');
  canary = await startCanary(rig.dir);
});
after(async () => {
  await canary.close();
  await rig.stop();
});
afterEach(async () => {
  await rig.assertClean();
});

/** Every object the job may have written for `id`, with its bytes. */
async function writtenFor(id: string): Promise<Map<string, Buffer>> {
  const written = new Map<string, Buffer>();
  for (const prefix of [`segments/${id}/`, sourceObjectKey(id)]) {
    for await (const object of rig.harness.storage.list(prefix)) written.set(object.key, await rig.harness.storage.getBytes(object.key));
  }
  return written;
}

/** What is wrong with the ingest of one crafted upload; undefined when it was refused and left nothing. */
async function problemOf(name: string, id: string): Promise<string | undefined> {
  const bytes = Buffer.from(hostileContents(canary).get(name)!);
  await rig.uploaded(id, bytes);
  const code = await runIngest(id, rig.dependencies(), new AbortController().signal).then(() => 'ready', (error: unknown) => (isKilnError(error) ? error.code : String(error)));
  const written = await writtenFor(id);
  const holding = [...written].filter(([, object]) => holdsCanary(object, canary)).map(([key]) => key);
  if (code !== 'NOT_A_VIDEO') return `${name}: ${code}${holding.length > 0 ? `, canary in ${holding.join(', ')}` : ''}`;
  if (written.size > 0) return `${name}: wrote ${[...written.keys()].join(', ')}`;
  return (await rig.harness.redis.get(rig.harness.keys.sourceFacts(id))) === null ? undefined : `${name}: facts published`;
}

test('each crafted upload fails its ingest as NOT_A_VIDEO, reaches nothing and writes nothing', async () => {
  const problems: string[] = [];
  for (const [index, name] of JOB_INPUTS.entries()) {
    problems.push(...[await problemOf(name, `hostile${index}`)].filter((problem) => problem !== undefined));
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(canary.requests, []);
});
