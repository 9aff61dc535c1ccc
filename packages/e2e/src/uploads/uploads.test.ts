/**
 * Upload to `ready` through the real pieces: `POST /v1/videos` on this API, the BullMQ queue,
 * `kiln worker` processes (pre-transcode and on-demand), Redis, an S3 API server, ffmpeg; files
 * from the sample media folder. Every test ends with no ffmpeg and no scratch file left.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DEFAULT_PROFILES, ffmpegBinary, isProcessAlive } from '@kiln/shared';
import { endedIngestJob } from '../testing/ingest-job.js';
import { sampleMediaFile, waitFor } from '@kiln/shared/testing';
import { AS_ADMIN } from '@kiln/api/testing';
import { startCluster, type Cluster } from '../testing/cluster.js';
import { settledVideo, videoView, type UploadedVideo } from '../testing/upload-client.js';

const MAX_BYTES = 2 * 1024 * 1024;
let cluster: Cluster;
/** ffmpeg pids seen during a test: all must be gone at its end. */
const ffmpegSeen = new Set<number>();

before(async () => {
  cluster = await startCluster({ maxBytes: MAX_BYTES });
  cluster.startWorker('pre1', 'pretranscode');
  cluster.startWorker('od1', 'ondemand');
  await waitFor('load reports', async () => (await cluster.redis.exists(cluster.keys.workerLoad('pre1'), cluster.keys.workerLoad('od1'))) === 2);
});
after(() => cluster.stop());

afterEach(async () => {
  await waitFor('ffmpeg to exit', async () => {
    for (const id of ['pre1', 'pre2', 'od1']) for (const pid of await cluster.ffmpegOf(id)) ffmpegSeen.add(pid);
    return [...ffmpegSeen].every((pid) => !isProcessAlive(pid));
  }, 100);
  assert.deepEqual(await cluster.scratchLeft('pre1'), [], 'job scratch and pid files removed');
  ffmpegSeen.clear();
});

async function upload(name: string): Promise<{ status: number; body: { id: string; state: string; code?: string } }> {
  const response = await fetch(`${cluster.base}/v1/videos`, { method: 'POST', body: await readFile(sampleMediaFile(name)), headers: { ...AS_ADMIN, 'content-type': 'video/whatever' } });
  return { status: response.status, body: (await response.json()) as { id: string; state: string } };
}

const video = (id: string) => videoView(cluster.base, id);
const settled = (id: string) => settledVideo(cluster.base, id);

/** Every rendition of the default profiles has its opening (segments 0–2, or all of a short one) stored and pinned. */
async function assertPinnedOpenings(view: UploadedVideo): Promise<void> {
  const renditions = view.renditions.filter((rendition) => DEFAULT_PROFILES.some((profile) => profile === rendition.profile));
  assert.ok(renditions.length >= DEFAULT_PROFILES.length, 'renditions of every default profile');
  for (const rendition of renditions) {
    for (let n = 0; n < Math.min(3, rendition.segments); n += 1) {
      const info = await cluster.storage.head(`segments/${view.id}/${rendition.id}/${n}.ts`);
      assert.ok(info !== undefined && info.size > 0, `${rendition.id}/${n}.ts stored`);
      const entry = await cluster.redis.hget(cluster.keys.segmentIndex(view.id, rendition.id), String(n));
      assert.equal((JSON.parse(entry ?? '{}') as { pinned?: boolean }).pinned, true, `${rendition.id}/${n} pinned`);
    }
  }
}

/** ffmpeg as an HLS client reads the master to the end; answers the media time it reached. */
async function play(id: string): Promise<{ code: number | null; stderr: string; seconds: number }> {
  const link = await fetch(`${cluster.base}/v1/videos/${id}/playback`, { method: 'POST', headers: { ...AS_ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'mobile' }) });
  const { url } = (await link.json()) as { url: string };
  const player = spawn(ffmpegBinary(), ['-v', 'error', '-progress', 'pipe:1', '-i', url, '-map', '0', '-f', 'null', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  player.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  player.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((done) => player.once('close', done));
  const times = [...stdout.matchAll(/out_time_us=(\d+)/g)].map((match) => Number(match[1]));
  return { code, stderr, seconds: (times.at(-1) ?? 0) / 1e6 };
}

/**
 * Where one run's segments meet another's, the audio may start up to one AAC frame early
 * (docs/architecture.md "Timestamps": priming), and ffmpeg says so; anything else it prints is an error.
 */
function assertOnlyPrimingOverlaps(stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean)) {
    const overlap = /non monotonically increasing dts to muxer in stream \d+: (\d+) >= (\d+)/.exec(line);
    assert.ok(overlap !== null, `ffmpeg reported: ${line}`);
    assert.ok(Number(overlap[1]) - Number(overlap[2]) < 1024, `an overlap of at most one AAC frame (48 kHz): ${line}`);
  }
}

const ingestJob = (id: string) => endedIngestJob(cluster.redis, cluster.keys, id);

test('a moov-at-end MP4 becomes ready with pinned openings and plays to the end', async () => {
  const started = Date.now();
  const { status, body } = await upload('h264-aac-moov-at-end-15s.mp4');
  assert.equal(status, 202);
  assert.equal(body.state, 'processing');
  const view = await settled(body.id);
  process.stdout.write(`# upload → ready: ${Date.now() - started} ms (15 s source, ${view.renditions.length} renditions)\n`);
  assert.equal(view.state, 'ready', JSON.stringify(view.error));
  assert.ok(Math.abs(view.duration - 15.5) < 0.1, `duration ${view.duration}`);
  await assertPinnedOpenings(view);
  assert.equal(await cluster.storage.head(`uploads/${body.id}`), undefined, 'the upload is removed once the source is in place');
  const played = await play(body.id);
  assert.equal(played.code, 0, played.stderr);
  assertOnlyPrimingOverlaps(played.stderr);
  assert.ok(Math.abs(played.seconds - view.duration) < 0.2, `played ${played.seconds} s of ${view.duration} s`);
});

test('an FLV is remuxed into the source MP4 and becomes ready', async () => {
  const { status, body } = await upload('flv-h264-aac.flv');
  assert.equal(status, 202);
  const view = await settled(body.id);
  assert.equal(view.state, 'ready', JSON.stringify(view.error));
  await assertPinnedOpenings(view);
  const source = await cluster.storage.getBytes(`sources/${body.id}.mp4`, { start: 4, end: 7 });
  assert.equal(source.toString('latin1'), 'ftyp', 'the source is an MP4');
});

test('a VVC file is refused with UNSUPPORTED_CODEC, once, without retries', async () => {
  const { status, body } = await upload('vvc-h266.mp4');
  assert.equal(status, 202);
  const view = await settled(body.id);
  assert.equal(view.state, 'failed');
  assert.equal(view.error?.code, 'UNSUPPORTED_CODEC');
  assert.ok((view.error?.message.length ?? 0) > 10);
  assert.deepEqual(await ingestJob(body.id), { state: 'failed', attemptsStarted: 1, attemptsMade: 1 });
  assert.equal(await cluster.storage.head(`uploads/${body.id}`), undefined, 'a refused upload is not kept');
});

test('an upload over KILN_UPLOAD_MAX_BYTES is refused with 413 and leaves nothing behind', async () => {
  const uploads = async () => {
    const keys: string[] = [];
    for await (const object of cluster.storage.list('uploads/')) keys.push(object.key);
    return keys;
  };
  const uploadsBefore = await uploads();
  const videosBefore = await cluster.redis.keys('kiln:video:*');
  const declared = await upload('vp8-vorbis-45s.webm');
  assert.equal(declared.status, 413);
  assert.equal(declared.body.code, 'UPLOAD_TOO_LARGE');
  // Without a Content-Length the limit is found while streaming; the API then closes the connection
  // rather than read the rest, which curl (unlike fetch) reports as the answer it is.
  const curl = ['-sS', '-H', `authorization: ${AS_ADMIN.authorization}`, '-H', 'transfer-encoding: chunked', '-w', '\n%{http_code}', '--data-binary', `@${sampleMediaFile('vp8-vorbis-45s.webm')}`, `${cluster.base}/v1/videos`];
  const { stdout } = await promisify(execFile)('curl', curl);
  const [answer, code] = stdout.split('\n');
  assert.equal(code, '413');
  assert.equal((JSON.parse(answer ?? '{}') as { code: string }).code, 'UPLOAD_TOO_LARGE');
  assert.deepEqual(await uploads(), uploadsBefore);
  assert.deepEqual(await cluster.redis.keys('kiln:video:*'), videosBefore);
});

test('a pre-transcode worker killed mid-job: another one picks the job up and finishes it', async () => {
  const { body } = await upload('h264-aac-moov-at-end-15s.mp4');
  // Mid-job: the video plays, and its opening is being made.
  await waitFor('the opening to start', async () => (await video(body.id)).opening === 'making' && (await cluster.ffmpegOf('pre1')).length > 0);
  for (const pid of await cluster.ffmpegOf('pre1')) ffmpegSeen.add(pid);
  await cluster.stopWorker('pre1', 'SIGKILL');
  const killed = await video(body.id);
  assert.deepEqual([killed.state, killed.opening], ['ready', 'making']);
  // Its replacement on the same machine (same scratch) cleans up after it.
  cluster.startWorker('pre2', 'pretranscode', 'pre1');
  const view = await settled(body.id);
  assert.equal(view.state, 'ready', JSON.stringify(view.error));
  await assertPinnedOpenings(view);
  const job = await ingestJob(body.id);
  assert.equal(job.state, 'completed');
  assert.ok(job.attemptsStarted >= 2, `started ${job.attemptsStarted} times`);
});
