/**
 * `pnpm bench ingest [--rounds 3] [--ready-only]`, in one run on one machine (test cluster: this
 * API, one `kiln worker` of each role spawned through the CLI with capacity 2, Redis, an S3 API server):
 * 1. Time to ready: from the upload's answer (202) until segment 0 of every rendition of the
 *    default profiles is in the cache index, for a 60 s 1080p and a 10 min 720p source. The floor
 *    is plain ffmpeg making the first 2 s of every rendition from a local copy: the very command
 *    lines the pre-transcode worker ran for its segment-0 runs (read from its debug log), the
 *    input swapped for the local file, two at a time (the worker's slots). Also the time to the
 *    record's `ready` (the whole opening pinned) against every opening run replayed the same way, and
 *    each sample's steps from the worker's debug log. Rounds alternate the sources.
 * 2. Time to first frame in Chromium (hls.js, profile `mobile`): a ready video; the same video
 *    with its cache emptied (no pinned opening: on demand); and the segments and playlists
 *    the API served, as static files from @fastify/static (the floor). Rounds alternate.
 * Inputs are made once (`-preset ultrafast`) and cached in /work/main/.bench/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { DEFAULT_PROFILES, runFfmpeg, spawnFfmpeg } from '@kiln/shared';
import { makeTempDir, removeTempDir, waitFor } from '@kiln/shared/testing';
import { median, ms, range, spread } from '../src/testing/bench-stats.js';
import { workersIdle } from '../src/testing/cluster-state.js';
import { launchPlayer, type Player } from '../src/testing/player.js';
import { startCluster, type Cluster } from '../src/testing/cluster.js';
import { ingestFinished, playbackUrl, uploadFile, videoView } from '../src/testing/upload-client.js';

const BENCH_DIR = resolve(import.meta.dirname, '../../../.bench');
const SOURCES = [
  { name: '60 s 1080p', file: join(BENCH_DIR, 'ingest-1080p30-60s.mp4'), size: '1920x1080', seconds: 60, bitrate: '6M' },
  { name: '10 min 720p', file: join(BENCH_DIR, 'ingest-720p30-600s.mp4'), size: '1280x720', seconds: 600, bitrate: '2500k' },
] as const;
/** The worker's pre-transcode slots (KILN_WORKER_CAPACITY in src/testing/cluster.ts). */
const PARALLELISM = 2;
const FIRST_FRAME_DEADLINE_MS = 4_000;

async function ensureInputs(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  for (const source of SOURCES.filter((s) => !existsSync(s.file))) {
    process.stdout.write(`making ${source.file} (once) …\n`);
    await runFfmpeg([
      '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${source.size}:rate=30:duration=${source.seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${source.seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', source.bitrate, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k',
      '-movflags', '+faststart', source.file,
    ]);
  }
}

/** Undoes `formatCommandLine` (shared/ffmpeg/process.ts): bare words and single-quoted ones. */
export function parseCommandLine(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) => match[2] ?? (match[1] ?? '').replaceAll(`'\\''`, `'`));
}

/** A worker's ffmpeg run, replayed on a local file: same arguments, output drained. */
function localRun(commandLine: string, file: string): string[] {
  const args = parseCommandLine(commandLine).slice(1);
  const at = (flag: string) => args.indexOf(flag) + 1;
  args[at('-i')] = file;
  if (at('-protocol_whitelist') > 0) args[at('-protocol_whitelist')] = 'file';
  return args.includes('-nostdin') ? args : ['-nostdin', ...args];
}

async function inParallel(tasks: readonly (() => Promise<unknown>)[], width: number): Promise<void> {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await task();
  }));
}

/** The runs replayed, `PARALLELISM` at a time: the total and each run's own time. */
async function floorTimeToReady(commandLines: readonly string[], file: string): Promise<{ ms: number; runs: number[] }> {
  const started = performance.now();
  const runs: number[] = [];
  await inParallel(commandLines.map((line) => async () => {
    const runStarted = performance.now();
    await spawnFfmpeg(localRun(line, file), { stdout: 'ignore' }).done;
    runs.push(performance.now() - runStarted);
  }), PARALLELISM);
  return { ms: performance.now() - started, runs };
}

interface KilnSample {
  readonly id: string;
  /** Wall-clock time of the upload's 202, for the worker's log times. */
  readonly answeredAt: number;
  /** To segment 0 of every rendition in the cache index; to the record's `ready` (the whole opening pinned). */
  readonly ms: number;
  readonly readyMs: number;
  readonly renditions: number;
}

/**
 * Upload, then a poll every 20 ms (finer than waitFor's 100 ms: the times are a few seconds) of
 * when each rendition's segment 0 entered the cache index, until the opening is pinned. The record
 * lists the renditions only once ready: only then is it known which of the indexes count.
 */
async function kilnTimeToReady(cluster: Cluster, file: string): Promise<KilnSample> {
  const id = await uploadFile(cluster.base, file);
  const answeredAt = Date.now();
  const started = performance.now();
  const zeroSeen = new Map<string, number>();
  let polls = 0;
  // The record every 5th poll: the API's GET costs more than two Redis commands.
  for (let view = await videoView(cluster.base, id); ; view = polls++ % 5 === 0 ? await videoView(cluster.base, id) : view) {
    if (view.state === 'failed') throw new Error(`ingest failed: ${JSON.stringify(view.error)}`);
    // The ingest is over once the opening is pinned (`ready` alone says the video plays).
    if (ingestFinished(view)) {
      const readyMs = performance.now() - started;
      const renditions = view.renditions.filter((r) => DEFAULT_PROFILES.some((p) => p === r.profile));
      const ms = Math.max(...renditions.map((r) => zeroSeen.get(cluster.keys.segmentIndex(id, r.id)) ?? readyMs));
      return { id, answeredAt, ms, readyMs, renditions: renditions.length };
    }
    if (performance.now() - started > 120_000) throw new Error(`${id} not ready after 120 s`);
    // KEYS is fine on the bench's own Redis: a few hundred keys.
    for (const key of await cluster.redis.keys(cluster.keys.segmentIndexPattern(id))) {
      if (!zeroSeen.has(key) && (await cluster.redis.hexists(key, '0')) === 1) zeroSeen.set(key, performance.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A pino line of the pre-transcode worker (times in ms since the epoch): `ingest step` lines say a
 * step, when it `started` and how many `ms` it took; `opening segment stored` lines say a `run`, the
 * segment `index`, when the run took its slot (`started`), `closed` the segment and `stored` it.
 */
type WorkerLine = Readonly<{ time: number; msg: string } & Partial<Record<'videoId' | 'step' | 'run' | 'commandLine', string>>
  & Partial<Record<'ms' | 'index' | 'started' | 'closed' | 'stored', number>>>;

/** The ingest's steps as `name start+duration` (ms from the 202), then the segment-0 runs. */
function breakdown(lines: readonly WorkerLine[], sample: KilnSample): string {
  const at = (time: number) => Math.round(time - sample.answeredAt);
  const mine = lines.filter((line) => line.videoId === sample.id);
  const pickup = mine.find((line) => line.msg === 'job started');
  const steps = mine.filter((line) => line.msg === 'ingest step').map((line) => `${line.step} ${at(line.started ?? 0)}+${line.ms}`);
  const zero = mine.filter((line) => line.msg === 'opening segment stored' && line.index === 0);
  const spawned = new Map(lines.filter((line) => line.msg === 'ffmpeg started').map((line) => [line.run, line.time]));
  const toClosed = zero.map((line) => (line.closed ?? 0) - (spawned.get(line.run) ?? Number.NaN));
  const slotToStored = zero.map((line) => (line.stored ?? 0) - (line.started ?? 0));
  return `pickup ${pickup === undefined ? '?' : at(pickup.time)} · ${steps.join(' · ')}\n  segment 0: first ffmpeg ${at(Math.min(...spawned.values()))}, ` +
    `first stored ${at(Math.min(...zero.map((l) => l.stored ?? 0)))}, last stored ${at(Math.max(...zero.map((l) => l.stored ?? 0)))}; ` +
    `per run: ffmpeg → segment closed ${range(toClosed, 0)}, slot → stored ${range(slotToStored, 0)}`;
}

async function firstFrame(player: Player, url: string): Promise<number> {
  const report = await player.play(url, { deadlineMs: FIRST_FRAME_DEADLINE_MS });
  // No frame before the deadline is a figure too (NaN in the table), not a reason to stop.
  if (report.firstFrameMs === null) process.stdout.write(`no first frame within ${FIRST_FRAME_DEADLINE_MS} ms from ${new URL(url).port}: ${JSON.stringify(report.errors)} fragments ${report.fragments.join(',')}\n`);
  return report.firstFrameMs ?? Number.NaN;
}

interface CacheSnapshot {
  readonly index: Map<string, Record<string, string>>;
  readonly objects: Map<string, Buffer>;
}

/** Empties the video's cache (index and objects), answering what was there to put back later. */
async function dropCache(cluster: Cluster, id: string): Promise<CacheSnapshot> {
  const snapshot: CacheSnapshot = { index: new Map(), objects: new Map() };
  for await (const object of cluster.storage.list(`segments/${id}/`)) snapshot.objects.set(object.key, await cluster.storage.getBytes(object.key));
  await cluster.storage.deleteMany([...snapshot.objects.keys()]);
  for (const rendition of (await videoView(cluster.base, id)).renditions) {
    const key = cluster.keys.segmentIndex(id, rendition.id);
    snapshot.index.set(key, await cluster.redis.hgetall(key));
    await cluster.redis.del(key);
  }
  return snapshot;
}

async function restoreCache(cluster: Cluster, snapshot: CacheSnapshot): Promise<void> {
  for (const [key, body] of snapshot.objects) await cluster.storage.put(key, body);
  for (const [key, fields] of snapshot.index) {
    await cluster.redis.del(key);
    if (Object.keys(fields).length > 0) await cluster.redis.hset(key, fields);
  }
}

/** Fetches master, variants and every segment through the API into `root`, at the same paths. */
async function mirrorPlayback(url: string, root: string): Promise<string> {
  const save = async (target: URL): Promise<string> => {
    const response = await fetch(target);
    if (response.status !== 200) throw new Error(`GET ${target.pathname}: ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    await mkdir(dirname(join(root, target.pathname)), { recursive: true });
    await writeFile(join(root, target.pathname), body);
    return body.toString('latin1');
  };
  const uris = (text: string) => text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
  const master = new URL(url);
  for (const variantUri of uris(await save(master))) {
    const variant = new URL(variantUri, master);
    for (const segmentUri of uris(await save(variant))) await save(new URL(segmentUri, variant));
  }
  return master.pathname;
}

const idle = (cluster: Cluster): Promise<void> => workersIdle(cluster, ['od1', 'pre1']);

/** Per source: segment 0 everywhere and its floor; `ready` and the whole opening's floor (ms). */
type ReadySamples = Record<'kiln' | 'floor' | 'ready' | 'openingFloor', number[]>;

/**
 * One sample of a source, then its floors on an idle cluster: the segment-0 runs (the goal's
 * floor) and every run of the opening (what `ready` waits for), replayed on the local file.
 */
async function sampleTimeToReady(cluster: Cluster, lines: WorkerLine[], source: (typeof SOURCES)[number], samples: ReadySamples): Promise<string> {
  lines.length = 0;
  const kiln = await kilnTimeToReady(cluster, source.file);
  const openingRuns = lines.filter((l) => l.msg === 'ffmpeg started' && l.commandLine !== undefined).map((l) => l.commandLine ?? '');
  const segmentZeroRuns = openingRuns.slice(0, kiln.renditions);
  await idle(cluster);
  const { ms: floor, runs } = await floorTimeToReady(segmentZeroRuns, source.file);
  const openingFloor = (await floorTimeToReady(openingRuns, source.file)).ms;
  samples.kiln.push(kiln.ms);
  samples.floor.push(floor);
  samples.ready.push(kiln.readyMs);
  samples.openingFloor.push(openingFloor);
  process.stdout.write(`time to ready, ${source.name} (${kiln.renditions} renditions): kiln ${ms(kiln.ms)}, floor ${ms(floor)} ` +
    `(${segmentZeroRuns.length} ffmpeg, ${PARALLELISM} at a time) → ${(kiln.ms / floor).toFixed(2)}× (goal ≤ 1.3×); ` +
    `state ready ${ms(kiln.readyMs)}, whole-opening floor ${ms(openingFloor)} (${openingRuns.length} ffmpeg) → ${(kiln.readyMs / openingFloor).toFixed(2)}×\n` +
    `  ${breakdown(lines, kiln)}; floor per run ${range(runs, 0)}\n`);
  return kiln.id;
}

/** Medians and [min–max] at the end. */
async function benchTimeToReady(cluster: Cluster, lines: WorkerLine[], rounds: number): Promise<string> {
  let firstId = '';
  const results = new Map<string, ReadySamples>(SOURCES.map((s) => [s.name, { kiln: [], floor: [], ready: [], openingFloor: [] }]));
  for (let round = 0; round < rounds; round += 1) {
    for (const source of SOURCES) {
      const id = await sampleTimeToReady(cluster, lines, source, results.get(source.name)!);
      firstId ||= id;
    }
  }
  for (const [name, { kiln, floor, ready, openingFloor }] of results) {
    const ratio = (values: number[], floors: number[]) => values.map((value, i) => value / (floors[i] ?? Number.NaN));
    const seconds = (values: number[]) => spread(values.map((value) => value / 1000));
    process.stdout.write(`${name}, ${rounds} rounds: segment 0 everywhere ${seconds(kiln)} s, floor ${seconds(floor)} s → ${spread(ratio(kiln, floor))}× (goal ≤ 1.3×); ` +
      `state ready ${seconds(ready)} s, whole-opening floor ${seconds(openingFloor)} s → ${spread(ratio(ready, openingFloor))}×\n`);
  }
  return firstId;
}

async function benchFirstFrame(cluster: Cluster, player: Player, id: string, rounds: number): Promise<void> {
  const root = await makeTempDir('kiln-bench-static-');
  const floorServer = Fastify();
  try {
    await idle(cluster);
    const masterPath = await mirrorPlayback(await playbackUrl(cluster.base, id, 'mobile'), root);
    // The player page is on another origin: the API answers CORS, so must the floor.
    floorServer.addHook('onSend', async (_request, reply) => void reply.header('access-control-allow-origin', '*'));
    await floorServer.register(fastifyStatic, { root, prefix: '/' });
    const floorUrl = `${await floorServer.listen({ host: '127.0.0.1', port: 0 })}${masterPath}`;
    const samples = { ready: [] as number[], noOpening: [] as number[], floor: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      samples.floor.push(await firstFrame(player, floorUrl));
      samples.ready.push(await firstFrame(player, await playbackUrl(cluster.base, id, 'mobile')));
      await idle(cluster);
      const snapshot = await dropCache(cluster, id);
      samples.noOpening.push(await firstFrame(player, await playbackUrl(cluster.base, id, 'mobile')));
      await idle(cluster);
      // The cache as it was (what the floor serves), for the next round's "ready" sample.
      await restoreCache(cluster, snapshot);
    }
    const [ready, noOpening, floor] = [median(samples.ready), median(samples.noOpening), median(samples.floor)];
    process.stdout.write(`first frame (median of ${rounds}; samples ${JSON.stringify(samples)}):\n` +
      `  ready video ${ms(ready)}, static files ${ms(floor)} → ${(ready / floor).toFixed(2)}× (goal ≤ 1.2×)\n` +
      `  without its pinned opening ${ms(noOpening)} → ${(noOpening / floor).toFixed(2)}× the floor\n`);
  } finally {
    await floorServer.close();
    await removeTempDir(root);
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '3' }, 'ready-only': { type: 'boolean', default: false } } });
  await ensureInputs();
  const lines: WorkerLine[] = [];
  const onLine = (workerId: string, line: string) => {
    if (workerId === 'pre1' && line.startsWith('{')) lines.push(JSON.parse(line) as WorkerLine);
  };
  const cluster = await startCluster({ maxBytes: 1024 * 1024 * 1024, workerLog: { level: 'debug', onLine } });
  let player: Player | undefined;
  try {
    cluster.startWorker('pre1', 'pretranscode');
    cluster.startWorker('od1', 'ondemand');
    await waitFor('load reports', async () => (await cluster.redis.exists(cluster.keys.workerLoad('pre1'), cluster.keys.workerLoad('od1'))) === 2);
    const id = await benchTimeToReady(cluster, lines, Number(values.rounds));
    if (values['ready-only']) return;
    player = await launchPlayer();
    await benchFirstFrame(cluster, player, id, Number(values.rounds));
  } finally {
    await player?.close();
    await cluster.stop();
  }
}
