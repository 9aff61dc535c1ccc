/**
 * The cap on unfinished resumable uploads per API key, on two API nodes sharing one Redis: the
 * creation past it is 429 UPLOADS_IN_PROGRESS; finishing, deleting or expiry frees a slot.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApiKeyStore } from '../auth/key-store.js';
import { createJobQueue, type JobQueue } from '../plugins/external/queues.js';
import { AS_ADMIN, startHarness, type Harness } from '../testing/harness.js';
import { UPLOADING_TTL_SECONDS } from './receive.js';

const CAP = 2;
const BYTES = Buffer.from('0123456789');
let h: Harness;
let queue: JobQueue;
let nodes: FastifyInstance[];

before(async () => {
  h = await startHarness();
  queue = createJobQueue(h.redis, h.keys);
  const extra = { uploads: { queue, maxBytes: 1024, maxInProgressPerKey: CAP } };
  nodes = [h.build({}, extra), h.build({}, extra)];
});
after(async () => {
  await queue.close();
  await h.stop();
});
beforeEach(() => h.reset());

const TUS = { 'tus-resumable': '1.0.0' };

/** A tus creation on node `n`; the new upload's path when it was created. */
async function create(n: number, headers: Record<string, string> = AS_ADMIN): Promise<LightMyRequestResponse & { path?: string }> {
  const response = await nodes[n % 2].inject({ method: 'POST', url: '/v1/videos', headers: { ...headers, ...TUS, 'upload-length': String(BYTES.length) } });
  return Object.assign(response, { path: response.headers.location });
}

function code(response: LightMyRequestResponse): string {
  return (JSON.parse(response.body) as { code: string }).code;
}

async function assertRefused(n: number): Promise<void> {
  const refused = await create(n);
  assert.deepEqual([refused.statusCode, code(refused)], [429, 'UPLOADS_IN_PROGRESS'], refused.body);
  assert.match(refused.body, /has 2 unfinished resumable uploads/);
}

test('past the cap a creation is refused on any node; another key has its own slots; simple uploads take none', async () => {
  assert.deepEqual([(await create(0)).statusCode, (await create(1)).statusCode], [201, 201]);
  await assertRefused(0);
  await assertRefused(1);
  const other = await createApiKeyStore({ redis: h.redis, keys: h.keys }).create('uploader', 'upload');
  assert.equal((await create(0, { authorization: `Bearer ${other.key}` })).statusCode, 201);
  const simple = await nodes[0].inject({ method: 'POST', url: '/v1/videos', headers: { ...AS_ADMIN, 'content-type': 'video/mp4' }, payload: BYTES });
  assert.equal(simple.statusCode, 202);
});

test('finishing an upload frees its slot, and so does deleting one', async () => {
  const first = await create(0);
  const second = await create(1);
  await assertRefused(0);
  const patch = await nodes[1].inject({
    method: 'PATCH', url: first.path ?? '', payload: BYTES,
    headers: { ...AS_ADMIN, ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
  });
  assert.equal(patch.statusCode, 204, patch.body);
  const third = await create(0);
  assert.equal(third.statusCode, 201);
  await assertRefused(1);
  const removed = await nodes[0].inject({ method: 'DELETE', url: second.path ?? '', headers: { ...AS_ADMIN, ...TUS } });
  assert.equal(removed.statusCode, 204);
  assert.equal((await create(1)).statusCode, 201);
  await assertRefused(0);
});

test('uploads that expired unfinished no longer count', async () => {
  await create(0);
  await create(1);
  await assertRefused(0);
  h.clock.now += UPLOADING_TTL_SECONDS * 1000 + 1;
  assert.deepEqual([(await create(0)).statusCode, (await create(1)).statusCode], [201, 201]);
  await assertRefused(1);
});
