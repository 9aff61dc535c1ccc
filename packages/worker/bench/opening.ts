/**
 * `pnpm bench opening [--rounds N]`: head complete, the whole pinned opening (segments 0–2 of every
 * rendition of the `mobile` and `desktop` profiles) made and stored in the segment cache (a
 * filesystem store, its index in the Redis test server), for the 4K60 phone sample and a 60 s 1080p
 * source with a busy picture (made with ffmpeg in a temp dir). Three contenders, each round in turn:
 * - floor: one plain ffmpeg decoding once into every head rendition, the ladder run's own arguments
 *   with files for pipes (same encoder settings; no segmenting, checking or storing);
 * - today's way: one ffmpeg per rendition (a transcode run), two at a time, segment 0 of every
 *   rendition first, then the rest;
 * - Kiln: the opening as the worker makes it (`pretranscodeOpening`: one ladder run).
 * The floor runs at the opening's niceness, as Kiln's does, so both compete alike with whatever else
 * runs on the machine. CPU is user + sys of the ffmpeg processes (this process's reaped children,
 * /proc/self/stat), per second of media made per rendition.
 */
import { readFileSync } from 'node:fs';
import { getPriority, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  connectRedis, createFsStorage, createLogger, createRedisKeys, DEFAULT_PROFILES, PRETRANSCODE_SEGMENTS, runFfmpeg, segmentAt, spawnFfmpeg, toNumber,
} from '@kiln/shared';
import { makeTempDir, removeTempDir, sampleMediaFile, startServices } from '@kiln/shared/testing';
import { OPENING_NICENESS, openingLength, openingRenditions, pretranscodeOpening, type OpeningDependencies } from '../src/jobs/opening.js';
import { Slots } from '../src/jobs/slots.js';
import { SegmentCache } from '../src/segments/cache.js';
import { probeSource } from '../src/transcode/facts-cache.js';
import { ladderArgs } from '../src/transcode/ladder-args.js';
import { ProcessRegistry } from '../src/transcode/processes.js';
import type { Rendition } from '../src/transcode/rendition.js';
import { TranscodeRun } from '../src/transcode/run.js';
import { localFileSource } from '../src/transcode/source.js';
import type { TranscodeFacts } from '../src/transcode/transcode-facts.js';

const log = createLogger({ name: 'bench-opening', level: 'silent' });
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Slots of a worker on this machine: today's way ran two of its runs at a time. */
const SLOTS = 2;

/** Seconds of CPU used by this process's children that have ended (user + sys). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

export interface Figure {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export interface HeadFigures {
  readonly source: string;
  readonly renditions: number;
  /** Seconds of media the head holds, summed over its renditions. */
  readonly renditionSeconds: number;
  readonly floor: Figure[];
  readonly today: Figure[];
  readonly kiln: Figure[];
}

async function timed(work: () => Promise<void>): Promise<Figure> {
  const cpu = childCpuSeconds();
  const started = process.hrtime.bigint();
  await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: childCpuSeconds() - cpu };
}

/** The floor: the ladder run's command line, its pipes turned into files. */
async function floor(path: string, facts: TranscodeFacts, renditions: readonly Rendition[], dir: string): Promise<void> {
  const until = Math.min(...renditions.map((rendition) => openingLength(rendition)));
  const { input } = await localFileSource(() => path).open('v');
  const args = ladderArgs({ input, facts, outputs: renditions, from: 0, until, threads: 0 })
    .map((arg) => (/^pipe:\d+$/.test(arg) && arg !== 'pipe:0' ? join(dir, `floor-${arg.slice(5)}.ts`) : arg));
  await spawnFfmpeg(['-y', ...args], { stdout: 'ignore', niceness: OPENING_NICENESS }).done;
}

/** Today's way: one transcode run per rendition, two at a time, every segment 0 first, stored pinned. */
async function today(videoId: string, facts: TranscodeFacts, renditions: readonly Rendition[], deps: OpeningDependencies): Promise<void> {
  const slots = new Slots(SLOTS);
  const runOne = (rendition: Rendition, from: number, until: number) => slots.use(async () => {
    const stores: Promise<void>[] = [];
    const run = new TranscodeRun({ videoId, rendition, facts, from, until }, {
      opener: deps.opener, log, threads: 0, exists: () => false, onSpawn: () => undefined, onExit: () => undefined,
      onSegment: (_, segment) => stores.push(deps.cache.store(videoId, rendition.id, segment.index, segment.bytes, Date.now(), { pinned: true })),
    });
    await run.done;
    if (run.state !== 'finished') throw run.error ?? new Error(`run of ${rendition.id} ${run.state}`);
    return stores;
  });
  const heaviest = [...renditions].sort((a, b) => pixels(b) - pixels(a));
  const zero = await Promise.all(heaviest.map((rendition) => runOne(rendition, 0, 1)));
  const rest = await Promise.all(heaviest.filter((rendition) => openingLength(rendition) > 1).map((rendition) => runOne(rendition, 1, openingLength(rendition))));
  await Promise.all([...zero, ...rest].flat());
}

const pixels = ({ rung }: Rendition): number => (rung.kind === 'video' ? rung.width * rung.height * toNumber(rung.frameRate ?? { num: 1, den: 1 }) : 0);

function renditionSeconds(renditions: readonly Rendition[]): number {
  return renditions.reduce((sum, rendition) => {
    const last = segmentAt(rendition.plan, openingLength(rendition) - 1);
    return sum + toNumber(last.start) + toNumber(last.duration);
  }, 0);
}

/** Head complete for `path`, `rounds` times each way; exported for `pnpm bench startup`. */
export async function measureHeadComplete(path: string, rounds: number): Promise<HeadFigures> {
  const services = await startServices({ redis: true });
  const dir = await makeTempDir('bench-opening');
  const redis = connectRedis(services.redis.url);
  try {
    const keys = createRedisKeys(`bench${Date.now().toString(36)}`);
    const opener = localFileSource(() => path);
    const facts = await probeSource(opener, 'v');
    const renditions = openingRenditions(facts, DEFAULT_PROFILES);
    const deps: OpeningDependencies = {
      opener, log, cache: new SegmentCache(createFsStorage({ root: join(dir, 'store') }), redis, keys),
      processes: new ProcessRegistry(join(dir, 'pids'), log), slots: new Slots(SLOTS),
    };
    const figures: HeadFigures = { source: path, renditions: renditions.length, renditionSeconds: renditionSeconds(renditions), floor: [], today: [], kiln: [] };
    for (let round = 0; round < rounds; round += 1) {
      figures.floor.push(await timed(() => floor(path, facts, renditions, dir)));
      figures.today.push(await timed(() => today(`today-${round}`, facts, renditions, deps)));
      figures.kiln.push(await timed(() => pretranscodeOpening(`kiln-${round}`, facts, DEFAULT_PROFILES, deps)));
    }
    return figures;
  } finally {
    redis.disconnect();
    await services.stop();
    await removeTempDir(dir);
  }
}

/** 60 s of 1080p30 with a busy picture (moving test pattern under strong temporal noise) and stereo AAC. */
async function makeBusySource(dir: string): Promise<string> {
  const path = join(dir, 'busy-1080p30-60s.mp4');
  await runFfmpeg([
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60,noise=alls=30:allf=t+u',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=60',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', path,
  ]);
  return path;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

function report(figures: HeadFigures): string {
  const floorSeconds = median(figures.floor.map((figure) => figure.seconds));
  const line = (name: string, runs: readonly Figure[]) => {
    const seconds = median(runs.map((figure) => figure.seconds));
    const cpu = median(runs.map((figure) => figure.cpuSeconds)) / figures.renditionSeconds;
    return `| ${name} | ${seconds.toFixed(2)} s | ${(seconds / floorSeconds).toFixed(2)}× | ${cpu.toFixed(3)} |`;
  };
  return [
    `${figures.source}: ${figures.renditions} renditions, ${figures.renditionSeconds.toFixed(1)} rendition-seconds, medians of ${figures.kiln.length}`,
    '| contender | head complete | × floor | CPU s per rendition-second |', '|---|---|---|---|',
    line('floor (one ffmpeg, files)', figures.floor), line("today's way (ffmpeg per rendition)", figures.today), line('Kiln (ladder run)', figures.kiln),
  ].join('\n');
}

/** Head complete for the 4K60 sample and the 60 s 1080p source, as printed; `pnpm bench startup` prints it too. */
export async function headCompleteReport(rounds: number, write: (text: string) => void): Promise<void> {
  const dir = await makeTempDir('bench-opening-source');
  try {
    write(`load average at start: ${loadavg().map((value) => value.toFixed(1)).join(' ')}; niceness ${getPriority()}; opening runs at +${OPENING_NICENESS}\n`);
    for (const source of [sampleMediaFile('h264-aac-moov-at-end-phone-4k60-rot90.mp4'), await makeBusySource(dir)]) {
      write(`${report(await measureHeadComplete(source, rounds))}\n\n`);
    }
    write(`load average at end: ${loadavg().map((value) => value.toFixed(1)).join(' ')}; PRETRANSCODE_SEGMENTS ${PRETRANSCODE_SEGMENTS}\n`);
  } finally {
    await removeTempDir(dir);
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '3' } } });
  await headCompleteReport(Number(values.rounds), (text) => process.stdout.write(text));
}
