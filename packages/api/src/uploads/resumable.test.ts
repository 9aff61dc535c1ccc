/**
 * Resumable uploads (tus 1.0) on two API nodes sharing one Redis and one S3 API server, as a
 * cluster without sticky routing runs: tus-js-client through a round-robin proxy, connections cut
 * mid-body, a half-open request holding the lock, refusals with stable codes, nothing left behind.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import * as tus from 'tus-js-client';
import { Upload } from '@tus/utils';
import { QUEUE_NAMES, createLogger, createRedisKeys, createS3Storage, createVideoStore, listKeys, uploadObjectKey, uploadPartsPrefix, type KilnJob, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { sampleMediaFile, startServices, type Services } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import { createJobQueue, type JobQueue } from '../plugins/external/queues.js';
import { launchUploader } from '../testing/browser.js';
import { AS_ADMIN, TEST_API_KEY, TEST_SECRET } from '../testing/harness.js';
import { startRoundRobinProxy } from '../testing/round-robin-proxy.js';
import { createRedisLocker } from './redis-locker.js';
import { ResumableUploadStore } from './resumable-store.js';

const MAX_BYTES = 4 * 1024 * 1024;
const FILE = sampleMediaFile('h264-aac-moov-at-end-15s.mp4');
let services: Services<{ redis: true; s3: true }>;
let redis: Redis;
let keys: RedisKeys;
let storage: ObjectStorage;
let queue: JobQueue;
let nodes: FastifyInstance[] = [];
let bases: string[] = [];
let file: Buffer;

before(async () => {
  services = await startServices({ redis: true, s3: true });
  redis = new Redis(services.redis.url, { maxRetriesPerRequest: null });
  keys = createRedisKeys('kiln');
  const { s3 } = services;
  storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  queue = createJobQueue(redis, keys);
  file = await readFile(FILE);
  ({ nodes, bases } = await startNodes());
});

/** Two API nodes on one Redis and S3, as a cluster without sticky routing runs; pages of `corsOrigins` may call them. */
async function startNodes(corsOrigins: string[] = []): Promise<{ nodes: FastifyInstance[]; bases: string[] }> {
  // Short locks, so a half-open request is noticed within a second here (15 s in service).
  const locker = createRedisLocker(redis, keys, { ttlMs: 600, acquireTimeoutMs: 5000, retryMs: 20 });
  const started = [0, 1].map(() => buildApiApp({
    log: createLogger({ name: 'api-test', level: 'silent' }),
    checks: {},
    access: { apiKeys: [TEST_API_KEY], corsOrigins },
    playback: {
      redis, keys, storage, workers: { fetchSegment: () => Promise.reject(new Error('no workers here')) } as never,
      tokenSecrets: [TEST_SECRET],
      settings: { playbackLinkLifetimeMs: 600_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 3_000 },
    },
    uploads: { queue, maxBytes: MAX_BYTES, locker },
  }));
  const addresses = await Promise.all(started.map(async (node) => {
    await node.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  }));
  return { nodes: started, bases: addresses };
}
after(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  await queue.close();
  redis.disconnect();
  await services.stop();
});
beforeEach(async () => {
  await redis.flushall();
  await storage.deleteMany(await listKeys(storage, ''));
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One raw HTTP request; `cutAfter` sends that many body bytes and then drops the connection. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer, cutAfter?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${base}${path}`, { method, headers: { 'tus-resumable': '1.0.0', ...AS_ADMIN, ...headers } }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
    });
    outgoing.on('error', (error) => (cutAfter === undefined ? reject(error) : resolve({ status: 0, headers: {}, body: '' })));
    if (body === undefined) return void outgoing.end();
    if (cutAfter === undefined) return void outgoing.end(body);
    outgoing.write(body.subarray(0, cutAfter), () => setTimeout(() => outgoing.destroy(), 50));
  });
}

async function create(base: string, size: number): Promise<string> {
  const answer = await send(base, 'POST', '/v1/videos', { 'upload-length': String(size), 'upload-metadata': `filename ${Buffer.from('../../etc/passwd').toString('base64')}` });
  assert.equal(answer.status, 201, answer.body);
  const location = String(answer.headers.location);
  assert.match(location, /^\/v1\/uploads\/[0-9a-f]{20}$/);
  return location.split('/').pop() ?? '';
}

const patch = (base: string, id: string, offset: number, bytes: Buffer, cutAfter?: number) =>
  send(base, 'PATCH', `/v1/uploads/${id}`, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(bytes.length) }, bytes, cutAfter);

async function storedOffset(base: string, id: string): Promise<number> {
  const answer = await send(base, 'HEAD', `/v1/uploads/${id}`, {});
  assert.equal(answer.status, 200);
  return Number(answer.headers['upload-offset']);
}

const partKeys = (id: string) => listKeys(storage, uploadPartsPrefix(id));

/** The upload became one object equal to the file, its parts are gone, the video is `processing` with its ingest queued. */
async function assertHandedToIngest(id: string): Promise<void> {
  assert.equal(sha(await storage.getBytes(uploadObjectKey(id))), sha(file), 'the stored upload is the file, byte for byte');
  assert.deepEqual(await partKeys(id), []);
  const record = await createVideoStore(redis, keys).find(id);
  assert.equal(record?.state, 'processing');
  assert.equal(record.size, file.length);
  const jobs = await new Queue<KilnJob>(QUEUE_NAMES.pretranscode, { connection: redis, prefix: keys.bullPrefix }).getJobs(['waiting']);
  assert.deepEqual(jobs.map((job) => job.data), [{ type: 'ingest', videoId: id }], 'exactly one ingest job');
}

test('tus-js-client uploads in chunks through two API nodes in turn, resuming after a dropped connection', async () => {
  const proxy = await startRoundRobinProxy(bases);
  try {
    proxy.dropNextBodyAfter(300_000);
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(file, {
        endpoint: `${proxy.base}/v1/videos`,
        headers: { ...AS_ADMIN },
        chunkSize: 512 * 1024,
        retryDelays: [50, 100, 200],
        metadata: { filename: 'holiday.mp4', filetype: 'video/mp4' },
        onError: reject,
        onSuccess: () => resolve(upload.url ?? ''),
      });
      upload.start();
    });
    const id = url.split('/').pop() ?? '';
    await assertHandedToIngest(id);
    const routed = proxy.routed.map((entry) => entry.split(' ')[1]);
    assert.ok(routed.includes('0') && routed.includes('1'), `both nodes served the upload: ${proxy.routed.join(', ')}`);
    assert.ok(proxy.routed.some((entry) => entry.startsWith('HEAD')), 'the client asked where to resume after the cut');
  } finally {
    await proxy.close();
  }
});

test('Chromium uploads a picked file with tus-js-client from another origin, through both nodes in turn', async () => {
  const uploader = await launchUploader();
  const allowing = await startNodes([uploader.origin]);
  const proxy = await startRoundRobinProxy(allowing.bases);
  try {
    const report = await uploader.upload(`${proxy.base}/v1/videos`, FILE, { chunkSize: 400 * 1024, headers: AS_ADMIN });
    assert.equal(report.error, undefined);
    assert.equal(report.progress.at(-1), file.length);
    await assertHandedToIngest(new URL(report.url ?? '').pathname.split('/').pop() ?? '');
    assert.ok(proxy.routed.some((entry) => entry.startsWith('OPTIONS')), 'the browser asked CORS first');
    assert.ok(proxy.routed.some((entry) => entry === 'PATCH 0') && proxy.routed.some((entry) => entry === 'PATCH 1'), `both nodes took bytes: ${proxy.routed.join(', ')}`);
  } finally {
    await uploader.close();
    await proxy.close();
    await Promise.all(allowing.nodes.map((node) => node.close()));
  }
});

test('a connection cut mid-PATCH keeps the bytes that arrived; another node continues from the last stored byte', async () => {
  const id = await create(bases[0] ?? '', file.length);
  assert.equal((await createVideoStore(redis, keys).find(id))?.state, 'uploading');
  await patch(bases[0] ?? '', id, 0, file, 700_000);
  const offset = await storedOffset(bases[1] ?? '', id);
  assert.ok(offset > 0 && offset <= 700_000, `stored ${offset} of the 700000 bytes sent`);
  const done = await patch(bases[1] ?? '', id, offset, file.subarray(offset));
  assert.equal(done.status, 204, done.body);
  assert.equal(done.headers['upload-offset'], String(file.length));
  await assertHandedToIngest(id);
  // A client that repeats the last request (it lost the answer) starts no second ingest.
  assert.equal((await patch(bases[0] ?? '', id, file.length, Buffer.alloc(0))).status, 204);
  await assertHandedToIngest(id);
});

test('a request stuck on a half-open connection lets go when another node needs the upload', async () => {
  const id = await create(bases[0] ?? '', file.length);
  const stuck = sendWithoutEnd(bases[0] ?? '', id, file.subarray(0, 200_000), file.length);
  await waitForLockHeld(id);
  // Node 1 asks from 0; node 0's request is cancelled, keeps what it had, and the offsets disagree.
  const second = await patch(bases[1] ?? '', id, 0, file);
  assert.equal(second.status, 409, second.body);
  assert.equal((JSON.parse(second.body) as { code: string }).code, 'UPLOAD_OFFSET_MISMATCH');
  const offset = await storedOffset(bases[1] ?? '', id);
  assert.equal(offset, 200_000, 'the stuck request stored the bytes it had');
  assert.equal((await patch(bases[1] ?? '', id, offset, file.subarray(offset))).status, 204);
  await assertHandedToIngest(id);
  stuck.destroy();
});

/** A PATCH that sends some bytes and then neither ends nor closes: a half-open connection. */
function sendWithoutEnd(base: string, id: string, bytes: Buffer, declared: number) {
  const outgoing = httpRequest(`${base}/v1/uploads/${id}`, {
    method: 'PATCH',
    headers: { 'tus-resumable': '1.0.0', ...AS_ADMIN, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(declared) },
  });
  outgoing.on('error', () => undefined);
  outgoing.write(bytes);
  return outgoing;
}

/** The stuck request is writing once it holds the upload's lock. */
const waitForLockHeld = (id: string) => waitUntil(async () => (await redis.exists(keys.resumableUploadLock(id))) === 1);

test('refusals carry stable codes and leave nothing behind', async () => {
  const base = bases[0] ?? '';
  const code = (answer: Answer) => (JSON.parse(answer.body) as { code: string }).code;
  const tooBig = await send(base, 'POST', '/v1/videos', { 'upload-length': String(MAX_BYTES + 1) });
  assert.deepEqual([tooBig.status, code(tooBig)], [413, 'UPLOAD_TOO_LARGE']);
  const empty = await send(base, 'POST', '/v1/videos', { 'upload-length': '0' });
  assert.deepEqual([empty.status, code(empty)], [400, 'UPLOAD_EMPTY']);
  const unknown = await send(base, 'HEAD', '/v1/uploads/0123456789abcdef0123', {});
  assert.equal(unknown.status, 404);
  const traversal = await patch(base, '..%2F..%2Fetc', 0, Buffer.from('x'));
  assert.deepEqual([traversal.status, code(traversal)], [404, 'UPLOAD_NOT_FOUND']);
  const id = await create(base, 1000);
  const wrongOffset = await patch(base, id, 10, Buffer.alloc(10));
  assert.deepEqual([wrongOffset.status, code(wrongOffset)], [409, 'UPLOAD_OFFSET_MISMATCH']);
  const overflow = await patch(base, id, 0, Buffer.alloc(1001));
  assert.deepEqual([overflow.status, code(overflow)], [413, 'UPLOAD_TOO_LARGE']);
  const stored = await listKeys(storage, '');
  assert.ok(stored.every((key) => key.startsWith(`upload-parts/${id}/`)), `only the open upload's parts: ${stored.join(', ')}`);
});

test('DELETE gives an unfinished upload up: its parts, state and record go; a finished one cannot be deleted', async () => {
  const base = bases[1] ?? '';
  const id = await create(base, file.length);
  assert.equal((await patch(base, id, 0, file.subarray(0, 1000))).status, 204);
  assert.equal((await partKeys(id)).length, 1);
  assert.equal((await send(base, 'DELETE', `/v1/uploads/${id}`, {})).status, 204);
  assert.deepEqual(await partKeys(id), []);
  assert.equal(await redis.exists(keys.resumableUpload(id)), 0);
  await waitUntil(async () => (await createVideoStore(redis, keys).find(id)) === undefined);
  const finished = await create(base, file.length);
  assert.equal((await patch(base, finished, 0, file)).status, 204);
  const refused = await send(base, 'DELETE', `/v1/uploads/${finished}`, {});
  assert.deepEqual([refused.status, (JSON.parse(refused.body) as { code: string }).code], [400, 'UPLOAD_FINISHED']);
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100 && !(await check()); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(await check());
}

test('unfinished uploads past their expiry are removed with their parts; younger ones stay', async () => {
  const clock = { now: Date.parse('2031-01-01T00:00:00Z') };
  const store = new ResumableUploadStore({ redis, keys, storage, expirationMs: 3_600_000, now: () => new Date(clock.now) });
  for (const id of ['0000000000000000old1', '0000000000000000new1']) {
    await store.create(new Upload({ id, size: 100, offset: 0 }));
    assert.equal(await store.write(Readable.from([Buffer.alloc(10)]), id, 0), 10);
    clock.now += 1_800_000;
  }
  clock.now += 1_000;
  assert.equal(await store.deleteExpired(), 1);
  assert.deepEqual(await partKeys('0000000000000000old1'), []);
  assert.equal(await redis.exists(keys.resumableUpload('0000000000000000old1')), 0);
  assert.equal((await partKeys('0000000000000000new1')).length, 1);
  assert.equal((await store.getUpload('0000000000000000new1')).offset, 10);
});
