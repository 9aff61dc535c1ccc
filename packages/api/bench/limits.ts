/**
 * `pnpm bench limits [--requests 400]`: the rate limits' figures.
 * 1. How many of a burst of rapid requests pass each limit, on two API nodes sharing one Redis.
 * 2. What the limiter costs a request: p50/p99 of `POST /v1/videos/:id/playback` and of a refused
 *    token through `inject`, on apps with limits (never reached) and without, interleaved so both
 *    see the same machine. The limiter's cost is one Redis round trip per counted request.
 */
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../src/limits/limiters.js';
import { AS_ADMIN, startHarness, type Harness } from '../src/testing/harness.js';
import { sampleVideo } from '../src/testing/sample-videos.js';

const WARMUP = 50;
const NEVER: RateLimits = { uploadsPerKey: 1e9, uploadsPerAddress: 1e9, playbackLinksPerKey: 1e9, playbackLinksPerAddress: 1e9, tokenFailuresPerAddress: 1e9 };

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(3)} ms  p99 ${percentile(sorted, 0.99).toFixed(3)} ms`;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const link = (app: FastifyInstance, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/v1/videos/v1/playback', headers: AS_ADMIN, payload: { profile: 'mobile' }, remoteAddress });
const badToken = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/play/not-a-token/master.m3u8' });

/** Sends `count` requests alternating over `nodes`; how many the limit let through. */
async function burst(nodes: FastifyInstance[], count: number, send: (app: FastifyInstance, i: number) => Promise<{ statusCode: number }>, passed: number): Promise<number> {
  let passes = 0;
  for (let i = 0; i < count; i += 1) if ((await send(nodes[i % nodes.length], i)).statusCode === passed) passes += 1;
  return passes;
}

async function passRates(h: Harness, requests: number): Promise<void> {
  const limit = Math.max(1, Math.floor(requests / 4));
  const two = (limits: Partial<RateLimits>) => [h.build({}, { limits: { ...NEVER, ...limits } }), h.build({}, { limits: { ...NEVER, ...limits } })];
  await reset(h);
  const perKey = await burst(two({ playbackLinksPerKey: limit }), requests, (app) => link(app), 201);
  await reset(h);
  const perAddress = await burst(two({ playbackLinksPerAddress: limit }), requests, (app, i) => link(app, i % 2 === 0 ? '203.0.113.1' : '203.0.113.2'), 201);
  await reset(h);
  const failures = await burst(two({ tokenFailuresPerAddress: 30 }), requests, (app) => badToken(app), 403);
  process.stdout.write(`rapid requests on two API nodes, one Redis (${requests} each):\n`);
  process.stdout.write(`  playback links, limit ${limit}/min per key:      ${perKey} passed\n`);
  process.stdout.write(`  playback links, limit ${limit}/min per address, two addresses: ${perAddress} passed\n`);
  process.stdout.write(`  bad tokens, limit 30/min per address:  ${failures} answered 403, ${requests - failures} answered 429\n`);
}

async function cost(h: Harness, requests: number): Promise<void> {
  await reset(h);
  const apps = { without: h.build(), with: h.build({}, { limits: NEVER }) };
  const samples = { linkWithout: [] as number[], linkWith: [] as number[], badWithout: [] as number[], badWith: [] as number[] };
  for (let i = 0; i < WARMUP + requests; i += 1) {
    const figures = [await timed(() => link(apps.without)), await timed(() => link(apps.with)), await timed(() => badToken(apps.without)), await timed(() => badToken(apps.with))];
    if (i < WARMUP) continue;
    samples.linkWithout.push(figures[0]);
    samples.linkWith.push(figures[1]);
    samples.badWithout.push(figures[2]);
    samples.badWith.push(figures[3]);
  }
  process.stdout.write(`cost per request (inject, ${requests} each, interleaved):\n`);
  process.stdout.write(`  POST playback, no limiter:    ${summary(samples.linkWithout)}\n`);
  process.stdout.write(`  POST playback, with limiter:  ${summary(samples.linkWith)}\n`);
  process.stdout.write(`  refused token, no limiter:    ${summary(samples.badWithout)}\n`);
  process.stdout.write(`  refused token, with limiter:  ${summary(samples.badWith)}\n`);
}

async function reset(h: Harness): Promise<void> {
  await h.reset();
  await h.saveVideo(sampleVideo({ id: 'v1' }));
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { requests: { type: 'string', default: '400' } } });
  const requests = Number(values.requests);
  const h = await startHarness();
  try {
    await passRates(h, requests);
    await cost(h, requests);
  } finally {
    await h.stop();
  }
}
