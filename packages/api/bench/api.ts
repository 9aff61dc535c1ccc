/**
 * `pnpm bench api [--sessions 200] [--workers 10,100,1000] [--picks 500]`:
 * 1. A player's start on a fully cached video — master, variant, first segment over HTTP, one
 *    session after another — through the API (token checks, Redis, the scheduler's Lua script,
 *    the cache index, fs object storage), against a static file server on the same files (the
 *    floor). Sessions alternate between the two so both see the same machine.
 * 2. The scheduler's pick (ZRANGE + the Lua script) with 10, 100, 1000 workers registered.
 * The floor is @fastify/static serving the same files from disk.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import fastifyStatic from '@fastify/static';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createFsStorage, createLogger, createRedisKeys, segmentObjectKey, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { makeTempDir, removeTempDir, startRedis } from '@kiln/shared/testing';
import { buildApiApp } from '../src/app.js';
import { renditionsFor } from '../src/playlists/index.js';
import { createScheduler } from '../src/scheduling/scheduler.js';
import { reportLoad } from '../src/testing/load-reports.js';
import { fakeWorkers } from '../src/testing/harness.js';
import { createVideoRepository } from '../src/videos/repository.js';
import { sampleVideo } from '../src/testing/sample-videos.js';

/** The bench's admin API key (mints playback links). */
const BENCH_KEY = 'kiln_bench-admin-key-0123456789abcdef';
const VIDEO_ID = 'bench';
const PROFILE = 'mobile';
const WARMUP_SESSIONS = 20;

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `identity` compares the same bytes on the wire; `gzip` is what players ask for (the API compresses playlists, the floor does not). */
type Encoding = 'identity' | 'gzip';

async function get(url: string, encoding: Encoding): Promise<string> {
  const response = await fetch(url, { headers: { 'accept-encoding': encoding } });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer()).toString('latin1');
}

/** What a player does first: the master, its first variant, that variant's first segment. */
async function startPlayback(masterUrl: string, encoding: Encoding): Promise<void> {
  const master = await get(masterUrl, encoding);
  const variantUri = master.split('\n').find((line) => line.length > 0 && !line.startsWith('#'));
  if (variantUri === undefined) throw new Error('the master lists no variant');
  const variantUrl = new URL(variantUri, masterUrl);
  const variant = await get(variantUrl.href, encoding);
  const segmentUri = variant.split('\n').find((line) => line.length > 0 && !line.startsWith('#'));
  if (segmentUri === undefined) throw new Error('the variant lists no segment');
  await get(new URL(segmentUri, variantUrl).href, encoding);
}

/** Every segment of every rendition in the cache, sized as its declared average bit rate says. */
async function cacheVideo(storage: ObjectStorage, redis: Redis, keys: RedisKeys): Promise<void> {
  const record = sampleVideo({ id: VIDEO_ID });
  await createVideoRepository(redis, keys).save(record);
  const now = Date.now();
  for (const { id, rung, plan } of renditionsFor(record, PROFILE)) {
    for (const segment of plan.segments) {
      const bytes = Math.round((rung.bandwidth.average * segment.duration.num) / segment.duration.den / 8);
      await storage.put(segmentObjectKey(VIDEO_ID, id, segment.index), Buffer.alloc(bytes, segment.index));
      await redis.hset(keys.segmentIndex(VIDEO_ID, id), String(segment.index), JSON.stringify({ bytes, created: now, accessed: now }));
    }
  }
}

/** The floor: the same playlists and segment as plain files, served from disk by @fastify/static. */
async function startFloor(root: string): Promise<FastifyInstance> {
  const floor = Fastify();
  await floor.register(fastifyStatic, { root, prefix: '/files/' });
  await floor.listen({ host: '127.0.0.1', port: 0 });
  return floor;
}

/** Writes what the API serves for one session as files beside the cached segments; returns the floor's master path. */
async function mirrorPlaylists(root: string, masterUrl: string): Promise<string> {
  const master = await get(masterUrl, 'identity');
  const renditionOf = (uri: string): string => uri.split('/').at(-2) ?? uri;
  const lines = master.split('\n');
  for (const uri of lines.filter((line) => line.length > 0 && !line.startsWith('#'))) {
    const variant = await get(new URL(uri, masterUrl).href, 'identity');
    const file = join(root, 'segments', VIDEO_ID, renditionOf(uri), 'index.m3u8');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, variant);
  }
  const floorMaster = lines.map((line) => (line.length > 0 && !line.startsWith('#') ? `${renditionOf(line)}/index.m3u8` : line)).join('\n');
  await writeFile(join(root, 'segments', VIDEO_ID, 'master.m3u8'), floorMaster);
  return `segments/${VIDEO_ID}/master.m3u8`;
}

interface Setup {
  readonly api: FastifyInstance;
  readonly apiUrl: string;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** The fs object storage's root, where the floor finds the same files. */
  readonly root: string;
  stop(): Promise<void>;
}

async function setUp(): Promise<Setup> {
  const service = await startRedis();
  const redis = new Redis(service.url);
  const root = await makeTempDir('kiln-bench-api-');
  const keys = createRedisKeys('kiln');
  const storage = createFsStorage({ root });
  await cacheVideo(storage, redis, keys);
  await reportLoad(redis, keys, { id: 'w1', active: 0, capacity: 1_000_000, ttlMs: 3_600_000 });
  const api = buildApiApp({
    log: createLogger({ name: 'bench-api', level: 'silent' }),
    checks: {},
    access: { apiKeys: [BENCH_KEY] },
    playback: {
      redis, keys, storage, workers: fakeWorkers(), tokenSecrets: ['a benchmark secret that is long enough for HMAC'],
      settings: { playbackLinkLifetimeMs: 600_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 3_000 },
    },
  });
  const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    api, apiUrl, redis, keys, root,
    async stop() {
      await api.close();
      redis.disconnect();
      await service.stop();
      await removeTempDir(root);
    },
  };
}

async function playbackUrl(setup: Setup): Promise<string> {
  const host = new URL(setup.apiUrl).host;
  const link = await setup.api.inject({ method: 'POST', url: `/v1/videos/${VIDEO_ID}/playback`, payload: { profile: PROFILE }, headers: { authorization: `Bearer ${BENCH_KEY}`, host } });
  return link.json<{ url: string }>().url;
}

interface PlaybackSamples {
  readonly api: number[];
  readonly apiGzip: number[];
  readonly floor: number[];
}

/** Per-session milliseconds through the API (identity, gzip) and from the floor, in turn. Links are made before the clock starts. */
async function benchPlayback(setup: Setup, sessions: number): Promise<PlaybackSamples> {
  const floor = await startFloor(setup.root);
  try {
    const floorUrl = `http://127.0.0.1:${String((floor.server.address() as { port: number }).port)}/files/${await mirrorPlaylists(setup.root, await playbackUrl(setup))}`;
    const samples: PlaybackSamples = { api: [], apiGzip: [], floor: [] };
    for (let i = 0; i < WARMUP_SESSIONS + sessions; i += 1) {
      const [identityLink, gzipLink] = [await playbackUrl(setup), await playbackUrl(setup)];
      const api = await timed(() => startPlayback(identityLink, 'identity'));
      const floor = await timed(() => startPlayback(floorUrl, 'identity'));
      const apiGzip = await timed(() => startPlayback(gzipLink, 'gzip'));
      if (i < WARMUP_SESSIONS) continue;
      samples.api.push(api);
      samples.floor.push(floor);
      samples.apiGzip.push(apiGzip);
    }
    return samples;
  } finally {
    await floor.close();
  }
}

/** Microseconds per pick with `count` workers registered; each pick is a new session, so the script scans them all. */
async function benchPicks(setup: Setup, count: number, picks: number): Promise<number[]> {
  await setup.redis.flushall();
  for (let i = 0; i < count; i += 1) await reportLoad(setup.redis, setup.keys, { id: `w${i}`, active: i % 7, capacity: 1_000_000, ttlMs: 3_600_000 });
  const scheduler = createScheduler({ redis: setup.redis, keys: setup.keys, reservationTtlMs: 60_000 });
  const samples: number[] = [];
  for (let i = 0; i < WARMUP_SESSIONS + picks; i += 1) {
    const ms = await timed(async () => {
      if ((await scheduler.pick(`bench-${i}`, { sessionTtlMs: 60_000 })) === undefined) throw new Error('no worker picked');
    });
    if (i >= WARMUP_SESSIONS) samples.push(ms * 1000);
  }
  return samples;
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

function printPlayback(samples: PlaybackSamples): void {
  const floor = summary(samples.floor);
  const line = (name: string, figures: { p50: number; p99: number }, note = ''): string =>
    `  ${name.padEnd(11)} p50 ${ms(figures.p50)}  p99 ${ms(figures.p99)}` +
    (figures === floor ? '' : `  ratio p50 ${(figures.p50 / floor.p50).toFixed(2)}×  p99 ${(figures.p99 / floor.p99).toFixed(2)}×`) + note;
  process.stdout.write(`master + variant + first segment, ${samples.api.length} sessions, one after another (cached, ${PROFILE}, lowest variant):\n`);
  process.stdout.write(`${line('floor', floor, '  (@fastify/static, identity)')}\n`);
  process.stdout.write(`${line('api', summary(samples.api), '  (identity; goal p50 ≤ 1.5×)')}\n`);
  process.stdout.write(`${line('api gzip', summary(samples.apiGzip), '  (playlists gzip-compressed and decompressed)')}\n`);
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sessions: { type: 'string', default: '200' }, workers: { type: 'string', default: '10,100,1000' }, picks: { type: 'string', default: '500' } } });
  const setup = await setUp();
  try {
    const samples = await benchPlayback(setup, Number(values.sessions));
    printPlayback(samples);
    process.stdout.write('scheduler pick (ZRANGE + Lua script), new session each time:\n');
    for (const count of values.workers.split(',').map(Number)) {
      const figures = summary(await benchPicks(setup, count, Number(values.picks)));
      process.stdout.write(`  ${String(count).padStart(5)} workers  p50 ${figures.p50.toFixed(0)} µs  p99 ${figures.p99.toFixed(0)} µs\n`);
    }
  } finally {
    await setup.stop();
  }
}
