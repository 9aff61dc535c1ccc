/**
 * `pnpm bench startup [--rounds 3] [--figures 1,2,3,4]`: how soon a viewer sees a picture, in one
 * run on one machine (test cluster: this API, one `kiln worker` of each role spawned through the CLI, Redis, the S3
 * test server; `kiln up`'s defaults: x264 preset veryfast, capacity 2, one per core). The source is
 * a 30 s 720p30 phone-style file (moov at the end, a noisy picture, H.264 High, AAC stereo), made
 * once and cached in .bench/. Chromium plays with hls.js (default config, its own User-Agent).
 * 1. Upload finished → first frame: the clock starts at the upload's answer; the page polls the
 *    video (through its application's backend, which holds the key) every 50 ms until `ready`, asks
 *    for a link and plays. Floor: ffprobe of the local file + plain ffmpeg encoding its first 2 s at
 *    the start variant (the master's first) to a file.
 * 2. Cold start at 10 s of a fresh upload: hls.js with `startPosition: 10` once the ingest is done
 *    (the upload queue drained: only the pinned opening is cached), against the naive on-demand
 *    peer (`src/testing/naive-peer.ts`) encoding the rendition Kiln's first frame came from.
 * 3. Encoder runs the on-demand worker started for that one viewer (its `/metrics` counters).
 * 4. Head complete, as `pnpm bench opening` measures it (after the cluster has stopped).
 * Each round prints the hls.js events seen, so a slow start says why.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_X264_PRESET, ffprobe, LOCAL_PROTOCOLS, MP4_DEMUXERS, runFfmpeg, sourceFacts, type X264Preset,
} from '@kiln/shared';
import { makeTempDir, removeTempDir, waitFor } from '@kiln/shared/testing';
import { findRendition, transcodeFacts, type TranscodeFacts } from '@kiln/worker';
import { headCompleteReport } from '@kiln/worker/bench/opening';
import { median, ms, range, ratios } from '../src/testing/bench-stats.js';
import { startCluster, type Cluster } from '../src/testing/cluster.js';
import { uploadQueueDrained, workerCounters, workersIdle } from '../src/testing/cluster-state.js';
import { startNaivePeer } from '../src/testing/naive-peer.js';
import { launchPlayer, type AppBackend, type PlaybackReport, type Player } from '../src/testing/player.js';
import { floorEncodeArgs, startVariant, type StartVariant } from '../src/testing/start-variant.js';
import { playbackUrl, settledVideo, uploadFile, videoView } from '../src/testing/upload-client.js';

const BENCH_DIR = resolve(import.meta.dirname, '../../../.bench');
const SOURCE = join(BENCH_DIR, 'startup-720p30-30s-phone.mp4');
/** `kiln up` sets no preset: the workers' default. */
const PRESET: X264Preset = DEFAULT_X264_PRESET;
const POLL_MS = 50;
const COLD_START_SECONDS = 10;
const FLOOR_SECONDS = 2;
const DEADLINE_MS = 60_000;
/** Playing on this long after the first frame catches the runs a level switch right after it starts. */
const AFTER_FIRST_FRAME_MS = 2_000;
const WORKERS = ['pre1', 'od1'] as const;
const INPUT = { protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS };

async function ensureSource(): Promise<void> {
  if (existsSync(SOURCE)) return;
  mkdirSync(BENCH_DIR, { recursive: true });
  process.stdout.write(`making ${SOURCE} (once) …\n`);
  // Fresh noise every frame keeps x264 busy as a real phone picture does; no +faststart: moov at the end.
  await runFfmpeg([
    '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=30,noise=alls=25:allf=t+u',
    '-f', 'lavfi', '-i', 'aevalsrc=sin(440*2*PI*t)|sin(660*2*PI*t):s=48000:d=30',
    '-c:v', 'libx264', '-profile:v', 'high', '-preset', 'veryfast', '-b:v', '8M', '-maxrate', '10M', '-bufsize', '10M', '-g', '30',
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', SOURCE,
  ]);
}

const backendOf = (cluster: Cluster): AppBackend => ({
  view: (id) => videoView(cluster.base, id),
  link: (id) => playbackUrl(cluster.base, id),
});

/** `+ms what` lines, indented, for the round's printout. */
const timeline = (label: string, report: PlaybackReport | null): string =>
  `    ${label}: ${report === null ? 'no playback' : report.events.join(' · ')}\n`;

/** The rendition a level plays: `/play/{video}/{session}/{rendition}/index.m3u8`. */
const renditionOfLevel = (report: PlaybackReport): string | undefined =>
  report.firstFrameLevel === null ? undefined : new URL(report.levels[report.firstFrameLevel] ?? '', 'http://x').pathname.split('/').at(-2);

interface UploadSample {
  readonly id: string;
  readonly ms: number;
  readonly readyMs: number;
  readonly linkMs: number;
  readonly report: PlaybackReport | null;
}

/** Figure 1, Kiln: the page is loaded before the upload, so the clock holds only what Kiln makes it wait. */
async function kilnUploadToFirstFrame(cluster: Cluster, player: Player): Promise<UploadSample> {
  let id = '';
  let answeredAt = 0;
  const upload = async () => {
    id = await uploadFile(cluster.base, SOURCE);
    answeredAt = Date.now();
    return id;
  };
  const result = await player.playWhenReady(backendOf(cluster), upload, POLL_MS, { deadlineMs: DEADLINE_MS, afterFirstFrameMs: 0 });
  const firstFrameAt = result.report?.firstFrameAt ?? Number.NaN;
  return { id, ms: firstFrameAt - answeredAt, readyMs: result.readyAt - answeredAt, linkMs: (result.linkAt ?? Number.NaN) - answeredAt, report: result.report };
}

/** Figure 1, floor: ffprobe + the first 2 s at the start variant, on the local file. */
async function floorUploadToFirstFrame(variant: StartVariant, scratch: string): Promise<{ ms: number; probeMs: number }> {
  const started = performance.now();
  await ffprobe(SOURCE, INPUT);
  const probeMs = performance.now() - started;
  await runFfmpeg(floorEncodeArgs(SOURCE, variant, PRESET, FLOOR_SECONDS, join(scratch, 'floor.ts')));
  return { ms: performance.now() - started, probeMs };
}

/** The master the page's User-Agent gets, read through a link of its own (a session, no encode). */
async function masterFor(cluster: Cluster, id: string, userAgent: string): Promise<string> {
  // The player's User-Agent picks the profile as it opens the link: the master must be fetched with it.
  const response = await fetch(await playbackUrl(cluster.base, id), { headers: { 'user-agent': userAgent } });
  if (response.status !== 200) throw new Error(`master of ${id}: HTTP ${response.status}`);
  return response.text();
}

/** Waits until the ingest is over (queue drained, no ffmpeg anywhere): the cache holds the pinned opening only. */
async function settled(cluster: Cluster, id: string): Promise<void> {
  const view = await settledVideo(cluster.base, id);
  if (view.state !== 'ready') throw new Error(`${id} is ${view.state}: ${JSON.stringify(view.error)}`);
  await uploadQueueDrained(cluster);
  await workersIdle(cluster, WORKERS);
}

async function benchUploadToFirstFrame(cluster: Cluster, player: Player, rounds: number, userAgent: string): Promise<void> {
  const scratch = await makeTempDir('kiln-bench-startup-');
  const kiln: number[] = [];
  const floor: number[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      await workersIdle(cluster, WORKERS);
      const sample = await kilnUploadToFirstFrame(cluster, player);
      await settled(cluster, sample.id);
      const variant = startVariant(await masterFor(cluster, sample.id, userAgent));
      const base = await floorUploadToFirstFrame(variant, scratch);
      kiln.push(sample.ms);
      floor.push(base.ms);
      process.stdout.write(`  round ${round}: kiln ${ms(sample.ms)} (ready seen ${ms(sample.readyMs)}, link ${ms(sample.linkMs)}, ` +
        `first frame ${ms(sample.report?.firstFrameMs ?? Number.NaN)} after loadSource) · floor ${ms(base.ms)} (ffprobe ${ms(base.probeMs)}, ` +
        `start variant ${variant.uri.split('/').at(-2)} ${variant.width}x${variant.height} ${variant.profile}) → ${(sample.ms / base.ms).toFixed(2)}×\n` +
        timeline('hls.js', sample.report));
    }
  } finally {
    await removeTempDir(scratch);
  }
  process.stdout.write(`1. upload finished → first frame, median of ${rounds} [min–max]: kiln ${range(kiln, 0)} ms, ` +
    `floor ${range(floor, 0)} ms → ${range(ratios(kiln, floor))}× (goal ≤ 2.0×)\n`);
}

interface ColdSample {
  readonly ms: number;
  readonly rendition: string | undefined;
  /** Runs and ffmpeg processes the on-demand worker started by the first frame, and by the end. */
  readonly runs: { readonly atFirstFrame: number; readonly atEnd: number; readonly ffmpeg: number; readonly refused: number };
  readonly report: PlaybackReport;
}

/** The on-demand worker's counters every 100 ms while `play` runs, as deltas from before it. */
async function withCounters<T>(cluster: Cluster, play: () => Promise<T>): Promise<{ result: T; samples: { at: number; counters: Map<string, number> }[] }> {
  const before = await workerCounters(cluster, 'od1');
  const samples: { at: number; counters: Map<string, number> }[] = [];
  let playing = true;
  const delta = (now: Map<string, number>) => new Map([...now].map(([name, value]) => [name, value - (before.get(name) ?? 0)]));
  const sampler = (async () => {
    while (playing) {
      samples.push({ at: Date.now(), counters: delta(await workerCounters(cluster, 'od1')) });
      await new Promise((done) => setTimeout(done, 100));
    }
  })();
  const result = await play().finally(() => (playing = false));
  await sampler;
  samples.push({ at: Date.now(), counters: delta(await workerCounters(cluster, 'od1')) });
  return { result, samples };
}

/** Figure 2 and 3, Kiln: a fresh upload, ingest over, played from 10 s. */
async function kilnColdStart(cluster: Cluster, player: Player): Promise<ColdSample> {
  const id = await uploadFile(cluster.base, SOURCE);
  await settled(cluster, id);
  const url = await playbackUrl(cluster.base, id);
  const { result: report, samples } = await withCounters(cluster, () =>
    player.play(url, { startPosition: COLD_START_SECONDS, deadlineMs: DEADLINE_MS, afterFirstFrameMs: AFTER_FIRST_FRAME_MS }));
  // The first sample taken at or after the first frame: every run started before it, and at most 100 ms more.
  const atFirstFrame = samples.find((sample) => sample.at >= (report.firstFrameAt ?? Infinity)) ?? samples.at(-1);
  const last = samples.at(-1)?.counters ?? new Map<string, number>();
  const count = (counters: Map<string, number> | undefined, name: string) => counters?.get(name) ?? Number.NaN;
  return {
    ms: report.firstFrameMs ?? Number.NaN, rendition: renditionOfLevel(report), report,
    runs: {
      atFirstFrame: count(atFirstFrame?.counters, 'kiln_worker_transcodes_started_total'), atEnd: count(last, 'kiln_worker_transcodes_started_total'),
      ffmpeg: count(last, 'kiln_worker_ffmpeg_started_total'), refused: count(last, 'kiln_worker_transcodes_refused_total'),
    },
  };
}

/** Figure 2, the peer: the same source and rendition, ffmpeg's HLS muxer from 0. */
async function peerColdStart(player: Player, facts: TranscodeFacts, renditionId: string): Promise<PlaybackReport> {
  const peer = await startNaivePeer({ file: SOURCE, facts, rendition: findRendition(facts, renditionId), preset: PRESET });
  try {
    return await player.play(peer.url, { startPosition: COLD_START_SECONDS, deadlineMs: DEADLINE_MS, afterFirstFrameMs: 0 });
  } finally {
    await peer.close();
  }
}

async function benchColdStart(cluster: Cluster, player: Player, rounds: number): Promise<void> {
  const facts = transcodeFacts(sourceFacts(await ffprobe(SOURCE, INPUT)));
  const kiln: number[] = [];
  const peer: number[] = [];
  const runs: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const sample = await kilnColdStart(cluster, player);
    await workersIdle(cluster, WORKERS);
    if (sample.rendition === undefined) throw new Error(`round ${round}: no first frame from Kiln\n${timeline('hls.js', sample.report)}`);
    const peerReport = await peerColdStart(player, facts, sample.rendition);
    kiln.push(sample.ms);
    peer.push(peerReport.firstFrameMs ?? Number.NaN);
    runs.push(sample.runs.atFirstFrame);
    process.stdout.write(`  round ${round}: kiln ${ms(sample.ms)} (first frame from ${sample.rendition}) · peer ${ms(peerReport.firstFrameMs ?? Number.NaN)} ` +
      `→ ${(sample.ms / (peerReport.firstFrameMs ?? Number.NaN)).toFixed(2)}×; on-demand runs started: ${sample.runs.atFirstFrame} by the first frame, ` +
      `${sample.runs.atEnd} by ${AFTER_FIRST_FRAME_MS} ms later (ffmpeg ${sample.runs.ffmpeg}, refused full ${sample.runs.refused})\n` +
      timeline('kiln hls.js', sample.report) + timeline('peer hls.js', peerReport));
  }
  process.stdout.write(`2. cold start at ${COLD_START_SECONDS} s, first frame, median of ${rounds} [min–max]: kiln ${range(kiln, 0)} ms, ` +
    `peer ${range(peer, 0)} ms → ${range(ratios(kiln, peer))}× (goal ≤ 0.5×)\n` +
    `3. encoder runs started per viewer by the first frame: ${runs.join(', ')} (median ${median(runs)}; goal 1)\n`);
}

/**
 * Figure 4, head complete: the 4K60 sample and a 60 s 1080p source, the opening as the worker makes
 * it against one ffmpeg decoding once into every head rendition (goal ≤ 1.3×), `pnpm bench opening`'s
 * measurement; run after the cluster has stopped, so nothing else takes the CPU.
 */
async function benchHeadComplete(rounds: number): Promise<void> {
  process.stdout.write('4. head complete (pnpm bench opening):\n');
  await headCompleteReport(rounds, (text) => process.stdout.write(text));
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '3' }, figures: { type: 'string', default: '1,2,3,4' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: a whole number ≥ 1`);
  // `--figures 1,4`: only those (2 and 3 come from the same rounds).
  const figures = new Set(values.figures.split(',').map((figure) => figure.trim()));
  await ensureSource();
  const cluster = await startCluster({ maxBytes: 1024 * 1024 * 1024 });
  let player: Player | undefined;
  try {
    for (const [id, role] of [['pre1', 'pretranscode'], ['od1', 'ondemand']] as const) cluster.startWorker(id, role, id, { KILN_WORKER_PRESET: PRESET });
    await waitFor('load reports', async () => (await cluster.redis.exists(...WORKERS.map((id) => cluster.keys.workerLoad(id)))) === WORKERS.length);
    player = await launchPlayer();
    const userAgent = await player.userAgent();
    process.stdout.write(`preset ${PRESET}, capacity 2 per worker; Chromium's User-Agent: ${userAgent}\n`);
    if (figures.has('1')) await benchUploadToFirstFrame(cluster, player, rounds, userAgent);
    if (figures.has('2') || figures.has('3')) await benchColdStart(cluster, player, rounds);
  } finally {
    await player?.close();
    await cluster.stop();
  }
  if (figures.has('4')) await benchHeadComplete(rounds);
}
