/**
 * `pnpm bench worker [--rounds N] [--throughput-rounds N]`, in one run on one machine:
 * - time to first segment: from the request for segment 0 of a 1080p moov-at-end source in the S3
 *   test server until the 720p segment (desktop-720p) is served, against plain ffmpeg making the
 *   first 2 s of the same rendition (the rendition's encoder arguments) from a local fast-started
 *   copy, `-t 2`. Kiln's first segment comes from its split run's first-segment output: x264 `zerolatency`, one
 *   preset faster than the rendition's (the report says which).
 *   Kiln is timed with the source's facts already in Redis ("warm", as after ingest) and without
 *   ("cold", the first request ever: ffprobe over range reads first).
 * - throughput: the whole 60 s rendition through Kiln (every segment requested in turn, nothing
 *   paused) against plain ffmpeg writing the same rendition to a file.
 * Both are also timed with one output per run (KILN_WORKER_FIRST_SEGMENT_ALONE=false): no
 * low-latency output for the first segment.
 * The worker runs in this process, with the heap growth `kiln worker` gives it (KILN_WORKER_HEAP_GROWTH).
 * Inputs are made once and cached in /work/main/.bench/. Other test suites share this machine: each
 * timing, Kiln's and ffmpeg's alike, first waits (at most a minute) for idle CPUs, and the report
 * says how many started on a busy machine anyway.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_X264_PRESET, fasterPreset, loadWorkerConfig, MP4_DEMUXERS, runFfmpeg, spawnFfmpeg, type X264Preset } from '@kiln/shared';
import { startServices } from '@kiln/shared/testing';
import { tuneWorkerHeap } from '../src/heap.js';
import { transcodeArgs } from '../src/transcode/ffmpeg-args.js';
import { probeSource } from '../src/transcode/facts-cache.js';
import { findRendition } from '../src/transcode/rendition.js';
import { localFileSource } from '../src/transcode/source.js';
import { startHarness, type Harness } from '../src/testing/harness.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE = join(REPO, '.bench', 'worker-1080p30-60s-moov-at-end.mp4');
const FASTSTART = join(REPO, '.bench', 'worker-1080p30-60s-faststart.mp4');
const RENDITION = 'desktop-720p';
/** The worker's default (`KILN_WORKER_PRESET`), for Kiln's main output and plain ffmpeg alike. */
const PRESET: X264Preset = DEFAULT_X264_PRESET;

async function ensureInputs(): Promise<void> {
  if (existsSync(SOURCE) && existsSync(FASTSTART)) return;
  mkdirSync(dirname(SOURCE), { recursive: true });
  process.stdout.write(`making ${SOURCE} and its fast-start copy (once) …\n`);
  await runFfmpeg([
    '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=60',
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '8M', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', SOURCE,
  ]);
  await runFfmpeg(['-v', 'error', '-nostdin', '-y', '-i', SOURCE, '-c', 'copy', '-movflags', '+faststart', FASTSTART]);
}

/** Jiffies since boot, all CPUs: idle (with iowait) and in all (Linux /proc/stat). */
function cpuTimes(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((sum, value) => sum + value, 0) };
}

/** CPU ms of this process, of its exited children (ffmpeg), and of the S3 server's process. */
interface CpuSpent { readonly worker: number; readonly ffmpeg: number; readonly s3: number }

const CLOCK_TICK_MS = 10;
function procCpu(pid: number | 'self'): { own: number; children: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const at = (index: number) => Number(fields[index] ?? 0) * CLOCK_TICK_MS;
  return { own: at(11) + at(12), children: at(13) + at(14) };
}

function listenerPid(port: string): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return Number(/pid=(\d+)/.exec(out)?.[1] ?? Number.NaN);
}

function cpuSpent(s3Pid: number): CpuSpent {
  const self = procCpu('self');
  return { worker: self.own, ffmpeg: self.children, s3: procCpu(s3Pid).own };
}

const cpuBetween = (before: CpuSpent, after: CpuSpent): CpuSpent =>
  ({ worker: after.worker - before.worker, ffmpeg: after.ffmpeg - before.ffmpeg, s3: after.s3 - before.s3 });

const IDLE_BUSY_SHARE = 0.1;
let busyStarts = 0;

/** Waits until the CPUs were at least 90 % idle over 0.7 s (at most a minute); counts the timings that could not. */
async function waitForIdle(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const after = cpuTimes();
    if (1 - (after.idle - before.idle) / Math.max(1, after.total - before.total) < IDLE_BUSY_SHARE) return;
  }
  busyStarts += 1;
}

/** Plain ffmpeg with Kiln's encoder arguments, reading the local fast-start copy, writing a file. */
async function plainFfmpeg(until: 'first' | 'all', outDir: string): Promise<number> {
  const facts = await probeSource(localFileSource(() => FASTSTART), 'bench');
  const { rung, plan } = findRendition(facts, RENDITION);
  const args = transcodeArgs({
    input: { url: FASTSTART, protocols: ['file'], formats: MP4_DEMUXERS, stdin: false },
    facts, rung, plan, from: 0, until: until === 'first' ? 1 : plan.segments.length, threads: 0, preset: PRESET,
  });
  const output = join(outDir, `plain-${until}.ts`);
  const plain = [...args.slice(0, -1).filter((arg, i, all) => arg !== '-output_ts_offset' && all[i - 1] !== '-output_ts_offset'), '-y', output];
  await waitForIdle();
  const started = performance.now();
  await spawnFfmpeg(plain, { stdout: 'ignore' }).done;
  return performance.now() - started;
}

/** `alone`: the first segment of a run from a low-latency output of its own (the default), else one output. */
async function benchHarness(services: Parameters<typeof startHarness>[0], alone = true): Promise<Harness> {
  const harness = await startHarness(services, { capacity: 1, runAhead: 1000, preset: PRESET, segmentWaitMs: 120_000, firstSegmentAlone: alone });
  await harness.upload('bench', SOURCE);
  return harness;
}

/**
 * Right before a timing: idle CPUs, and clients as a running worker has them, connected (one HEAD
 * of an absent key, one PING), so that a new worker per round does not time its clients' first
 * connections. Nothing of the video is opened or cached by this.
 */
async function readyToTime(harness: Harness): Promise<void> {
  await waitForIdle();
  await harness.storage.head('sources/bench-absent.mp4');
  await harness.redis.ping();
}

/** Warm: the facts in Redis as ingest leaves them, while this worker has not opened the source yet. */
async function kilnFirstSegment(harness: Harness, videoId: string, warm: boolean): Promise<number> {
  if (warm) await harness.redis.set(harness.keys.sourceFacts(videoId), JSON.stringify(await probeSource(localFileSource(() => FASTSTART), videoId)));
  await readyToTime(harness);
  const started = performance.now();
  await harness.manager.segment(videoId, RENDITION, 0);
  return performance.now() - started;
}

async function kilnWhole(harness: Harness, videoId: string, s3Pid: number): Promise<{ ms: number; cpu: CpuSpent }> {
  const { plan } = await harness.manager.rendition(videoId, RENDITION);
  await readyToTime(harness);
  const cpuBefore = cpuSpent(s3Pid);
  const started = performance.now();
  for (let index = 0; index < plan.segments.length; index += 1) await harness.manager.segment(videoId, RENDITION, index);
  const ms = performance.now() - started;
  await harness.manager.drain(); // its ffmpeg reaped, so their CPU is counted
  return { ms, cpu: cpuBetween(cpuBefore, cpuSpent(s3Pid)) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** One timing of each; `plainFirst` on every other round, so neither side always runs on a machine the other just warmed. */
async function throughputRound(services: Parameters<typeof startHarness>[0], s3Pid: number, outDir: string, whole: Whole, plainFirst: boolean): Promise<void> {
  const plain = async () => {
    const ffmpegBefore = cpuSpent(s3Pid).ffmpeg;
    whole.plain.push(await plainFfmpeg('all', outDir));
    whole.plainCpu.push(cpuSpent(s3Pid).ffmpeg - ffmpegBefore);
  };
  if (plainFirst) await plain();
  const harness = await benchHarness(services);
  const kiln = await kilnWhole(harness, 'bench', s3Pid);
  whole.kiln.push(kiln.ms);
  whole.kilnCpu.push(kiln.cpu);
  await harness.close();
  const oneOutput = await benchHarness(services, false);
  whole.oneOutput.push((await kilnWhole(oneOutput, 'bench', s3Pid)).ms);
  await oneOutput.close();
  if (!plainFirst) await plain();
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '3' }, 'throughput-rounds': { type: 'string', default: '1' } } });
  const rounds = Number(values.rounds);
  const throughputRounds = Number(values['throughput-rounds']);
  await ensureInputs();
  const services = await startServices({ redis: true, s3: true });
  // The worker runs in this process: its heap as `kiln worker` sets it (KILN_WORKER_HEAP_GROWTH).
  const heapGrowth = loadWorkerConfig({ ...process.env, KILN_REDIS_URL: services.redis.url }).workerHeapGrowth;
  tuneWorkerHeap(heapGrowth);
  const outDir = mkdtempSync(join(tmpdir(), 'kiln-bench-worker-'));
  const first: First = { cold: [], warm: [], oneOutput: [], plain: [] };
  const whole: Whole = { kiln: [], oneOutput: [], plain: [], kilnCpu: [], plainCpu: [] };
  const s3Pid = listenerPid(new URL(services.s3.endpoint).port);
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const [times, warm, alone] of [[first.cold, false, true], [first.warm, true, true], [first.oneOutput, true, false]] as const) {
        const harness = await benchHarness(services, alone);
        times.push(await kilnFirstSegment(harness, 'bench', warm));
        await harness.close();
      }
      first.plain.push(await plainFfmpeg('first', outDir));
    }
    for (let round = 0; round < throughputRounds; round += 1) await throughputRound(services, s3Pid, outDir, whole, round % 2 === 1);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await services.stop();
  }
  report(first, whole, heapGrowth);
}

interface First { cold: number[]; warm: number[]; oneOutput: number[]; plain: number[] }
interface Whole { kiln: number[]; oneOutput: number[]; plain: number[]; kilnCpu: CpuSpent[]; plainCpu: number[] }

const seconds = (values: number[]) => `${(median(values) / 1000).toFixed(2)} s`;

/**
 * Median of `values` over the median of `plain`, then the median of the rounds' own ratios (each
 * pairs a timing with plain ffmpeg's in the same round, so a host that is slower for a while weighs
 * on both sides), and the per-round ratios (`invert`: plain over values, a speed).
 */
function ratios(values: number[], plain: number[], invert = false): string {
  const ratio = (a: number, b: number) => (invert ? b / a : a / b);
  const digits = invert ? 3 : 2;
  const perRound = values.map((value, round) => ratio(value, plain[round] ?? Number.NaN));
  const listedRounds = perRound.map((value) => value.toFixed(digits)).join(', ');
  return `${ratio(median(values), median(plain)).toFixed(digits)}× (rounds' median ${median(perRound).toFixed(digits)}×) [${listedRounds}]`;
}

const listed = (values: number[]) => `${ms(median(values))}   [${values.map(ms).join(', ')}]`;

function report(first: First, whole: Whole, heapGrowth: number): void {
  const realtime = (values: number[]) => `${ms(median(values))} (${(60_000 / median(values)).toFixed(2)}× realtime)`;
  const lines = [
    `time to first segment (${RENDITION}, segment 0), medians of ${first.plain.length}:`,
    `  kiln, facts cached (warm): ${listed(first.warm)}`,
    `  kiln, first request ever (cold, probe included): ${listed(first.cold)}`,
    `  kiln, warm, one output per run (KILN_WORKER_FIRST_SEGMENT_ALONE=false): ${listed(first.oneOutput)}`,
    `  plain ffmpeg -t 2 from a local fast-start copy: ${listed(first.plain)}`,
    `  x264 presets: plain ffmpeg and Kiln's main output ${PRESET}; Kiln's first segment (the split run's first-segment output, zerolatency) ${fasterPreset(PRESET)}`,
    `  ratio kiln/ffmpeg (goal ≤ 1.15×), per round in brackets: warm ${ratios(first.warm, first.plain)}, cold ${ratios(first.cold, first.plain)}, one output per run ${ratios(first.oneOutput, first.plain)}`,
    `throughput (whole 60 s rendition), medians of ${whole.plain.length}:`,
    `  kiln: ${realtime(whole.kiln)}   one output per run: ${realtime(whole.oneOutput)}   plain ffmpeg to a file: ${realtime(whole.plain)}`,
    `  ratio kiln speed / ffmpeg speed (goal ≥ 0.95×), per round in brackets: ${ratios(whole.kiln, whole.plain, true)}, one output per run ${ratios(whole.oneOutput, whole.plain, true)}`,
    `  CPU of the kiln run, medians: its ffmpeg ${seconds(whole.kilnCpu.map((cpu) => cpu.ffmpeg))}, worker process ${seconds(whole.kilnCpu.map((cpu) => cpu.worker))}, S3 server ${seconds(whole.kilnCpu.map((cpu) => cpu.s3))}; plain ffmpeg ${seconds(whole.plainCpu)}`,
    `worker heap growth (KILN_WORKER_HEAP_GROWTH): ${heapGrowth}%; timings started on a busy machine (no idle CPUs within a minute): ${busyStarts}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
