/**
 * Random requests against every route (fast-check, seeded): any method, any credential, odd
 * headers, random JSON, random bytes, huge strings. Never a 5xx (429 from the rate limits is a
 * refusal like any other), the app still answers /health after, and without a valid key nothing is
 * stored (unless a genuine playback token rode along: /play is open to whoever holds one).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { checkFuzz } from '@kiln/shared/testing';
import { reportLoad } from '../testing/load-reports.js';
import { randomRequest, type Credential, type RandomRequest } from '../testing/request-arbitraries.js';
import { genuineParams } from '../testing/route-requests.js';
import { sendAsWritten } from '../testing/send.js';
import { startSecurityHarness, storedSince, type SecurityHarness } from '../testing/security-harness.js';

let h: SecurityHarness;
let base: string;
before(async () => {
  h = await startSecurityHarness();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  // A live worker, so a genuine segment request is answered rather than refused for want of one.
  await reportLoad(h.redis, h.keys, { id: 'w1', active: 0, capacity: 1_000_000, ttlMs: 3_600_000 });
});
after(async () => h.stop());

function authorization(credential: Credential): Record<string, string> {
  if (credential === 'none') return {};
  if (credential === 'unknown key') return { authorization: 'Bearer kiln_no-such-key-0123456789abcdef' };
  if (credential === 'not a bearer') return { authorization: 'Basic a2lsbjpraWxu' };
  return { ...h.as[credential] };
}

function injectOptions(request: RandomRequest): InjectOptions & { url: string } {
  return {
    method: request.method,
    url: request.url,
    headers: { ...request.headers, ...authorization(request.credential) },
    ...(request.body === undefined ? {} : { payload: request.body }),
  };
}

const hasKey = (credential: Credential) => credential === 'playback' || credential === 'upload' || credential === 'admin';

/** Fails unless the answer is a success or a refusal; the snapshot check is for requests that hold nothing. */
async function check(request: RandomRequest): Promise<void> {
  const guarded = !hasKey(request.credential) && !request.genuineToken;
  const stored = guarded ? await h.snapshot() : undefined;
  const response = await sendAsWritten(h.app, base, injectOptions(request));
  assert.ok(response.status > 0 && response.status < 500, `${request.method} ${request.url.slice(0, 80)}: ${response.status} ${response.body.toString('utf8', 0, 200)}`);
  if (stored !== undefined) assert.deepEqual(storedSince(stored, await h.snapshot()), [], `${request.method} ${request.url.slice(0, 80)} stored something without a key`);
}

test('a genuine link with a body of every kind (cut JSON, bytes, 200 kB) is never a 5xx', async () => {
  const { token } = genuineParams(h.clock.now);
  for (const payload of ['{"a":', Buffer.from([0xff, 0x00]), 'x'.repeat(200_000)]) {
    const response = await h.app.inject({ method: 'GET', url: `/play/${token}/master.m3u8`, headers: { 'content-type': 'application/json' }, payload });
    assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body.slice(0, 100)}`);
  }
});

test('property: any request is answered without a 5xx, and without a key stores nothing', async (t) => {
  const genuine = genuineParams(h.clock.now);
  const property = fc.asyncProperty(randomRequest(h.routes, genuine), check);
  await checkFuzz(t, property, { runs: 300, timeLimitMs: 25_000 });
  const health = await h.app.inject({ method: 'GET', url: '/health' });
  assert.deepEqual([health.statusCode, health.json<{ status: string }>().status], [200, 'ok'], 'the app still answers');
});
