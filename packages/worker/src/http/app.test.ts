import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { buildWorkerApp, type WorkerTranscodes } from './app.js';

const log = createLogger({ name: 'worker', level: 'silent' });

/** Transcodes that serve segment n as the bytes `n`, or refuse every segment with `refusal`. */
function fakeTranscodes(asked: number[], refusal?: 'WORKER_FULL' | 'SEGMENT_TIMEOUT'): WorkerTranscodes {
  return {
    ensure: () => Promise.resolve({ status: 'cached' }),
    segment: (_video, _rendition, index) => {
      asked.push(index);
      if (refusal !== undefined) return Promise.reject(WorkerErrors.create(refusal));
      return Promise.resolve({ bytes: Buffer.from(String(index)), source: 'storage' });
    },
    listRuns: () => [],
    metrics: () => '',
  };
}

function build(transcodes: WorkerTranscodes) {
  return buildWorkerApp({ log, worker: { id: 'w1', role: 'ondemand' }, snapshot: () => ({ active: 0, capacity: 1, draining: false, speed: 0 }), transcodes });
}

test('a request the route refuses is 400 BAD_REQUEST, an unknown route 404 ROUTE_NOT_FOUND', async () => {
  const app = build(fakeTranscodes([]));
  const invalid = await app.inject({ method: 'POST', url: '/transcodes', payload: { video: 'v', rendition: 'r', segment: -1 } });
  assert.deepEqual([invalid.statusCode, invalid.json<{ code: string }>().code], [400, 'BAD_REQUEST']);
  const unknown = await app.inject({ method: 'GET', url: '/nope' });
  assert.deepEqual([unknown.statusCode, unknown.json()], [404, { code: 'ROUTE_NOT_FOUND', message: 'no route GET /nope' }]);
  await app.close();
});

test('a segment is asked for by its canonical name n.ts; any other name is 400 BAD_REQUEST', async () => {
  const asked: number[] = [];
  const app = build(fakeTranscodes(asked));
  for (const index of [0, 12, 999_999_999]) {
    const response = await app.inject({ method: 'GET', url: `/segments/v/r/${index}.ts` });
    assert.deepEqual([response.statusCode, response.headers['content-type'], response.body], [200, 'video/mp2t', String(index)]);
  }
  for (const file of ['007.ts', '-1.ts', '1e3.ts', '1000000000.ts', '99999999999999999999.ts', 'x.ts', '1.m4s']) {
    const response = await app.inject({ method: 'GET', url: `/segments/v/r/${file}` });
    assert.deepEqual([response.statusCode, response.json<{ code: string }>().code], [400, 'BAD_REQUEST'], file);
  }
  assert.deepEqual(asked, [0, 12, 999_999_999]);
  await app.close();
});

test('a full worker refuses with 503 WORKER_FULL and a Retry-After; a late segment is 504 without one', async () => {
  const full = build(fakeTranscodes([], 'WORKER_FULL'));
  const refused = await full.inject({ method: 'GET', url: '/segments/v/r/0.ts' });
  assert.deepEqual([refused.statusCode, refused.json<{ code: string }>().code, refused.headers['retry-after']], [503, 'WORKER_FULL', '2']);
  await full.close();
  const slow = build(fakeTranscodes([], 'SEGMENT_TIMEOUT'));
  const late = await slow.inject({ method: 'GET', url: '/segments/v/r/0.ts' });
  assert.deepEqual([late.statusCode, late.json<{ code: string }>().code, late.headers['retry-after']], [504, 'SEGMENT_TIMEOUT', undefined]);
  await slow.close();
});
