/**
 * `pnpm bench segmenter [--rounds N]`: Kiln's segmenter against ffmpeg's HLS muxer on the same
 * ≥ 200 MB 1080p TS (made once, cached in /work/main/.bench/). Kiln runs in-process, reading the
 * file in 1 MiB chunks (a fresh buffer each, as a stream would give); segments are discarded
 * ("discard") or written to a temp dir ("write"); "stream" is the async path (fs read stream →
 * segmentStream), segments discarded. ffmpeg runs `-c copy -f hls -hls_time 5` into a
 * temp dir. Rounds alternate; the figures are wall-clock MB/s (1 MB = 10^6 bytes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writevSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { boundariesFromDurations, Segmenter, segmentStream, type Segment } from '../src/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const INPUT = join(REPO, '.bench', 'segmenter-1080p30-60s.ts');
const MIN_BYTES = 200_000_000;
const CHUNK = 1024 * 1024;

async function ensureInput(): Promise<string> {
  if (existsSync(INPUT) && statSync(INPUT).size >= MIN_BYTES) return INPUT;
  mkdirSync(dirname(INPUT), { recursive: true });
  process.stdout.write(`making ${INPUT} (once) …\n`);
  const ffmpeg = spawn('ffmpeg', [
    '-v', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
    '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '60M', '-maxrate', '60M', '-bufsize', '60M',
    '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-c:a', 'aac', '-b:a', '128k',
    '-f', 'mpegts', INPUT,
  ], { stdio: 'inherit' });
  const code = await new Promise<number | null>((done) => ffmpeg.on('close', done));
  if (code !== 0) throw new Error(`ffmpeg exited with ${code} while making ${INPUT}`);
  const size = statSync(INPUT).size;
  if (size < MIN_BYTES) throw new Error(`${INPUT} is only ${size} bytes; raise -b:v or -t`);
  return INPUT;
}

interface KilnRun {
  readonly seconds: number;
  readonly segments: number;
}

function runKiln(path: string, outDir: string | undefined): KilnRun {
  const segmenter = new Segmenter({ boundaryPts: boundariesFromDurations([2, 2, 3, 3, 4, 4, 5]), origin: 'relative' });
  const fd = openSync(path, 'r');
  let segments = 0;
  const keep = (list: Segment[]): void => {
    for (const segment of list) {
      if (outDir !== undefined) writeSegment(join(outDir, `${String(segments).padStart(5, '0')}.ts`), segment);
      segments++;
    }
  };
  const start = process.hrtime.bigint();
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      keep(segmenter.push(n === CHUNK ? buf : buf.subarray(0, n)));
    }
    keep(segmenter.flush());
  } finally {
    closeSync(fd);
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, segments };
}

/** The async path: a Node read stream through segmentStream (backpressure by pulling). */
async function runKilnStream(path: string): Promise<number> {
  const options = { boundaryPts: boundariesFromDurations([2, 2, 3, 3, 4, 4, 5]), origin: 'relative' as const };
  const start = process.hrtime.bigint();
  let segments = 0;
  for await (const segment of segmentStream(createReadStream(path, { highWaterMark: CHUNK }), options)) {
    if (segment.byteLength > 0) segments++;
  }
  if (segments === 0) throw new Error('no segments');
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function writeSegment(path: string, segment: Segment): void {
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < segment.data.length; i += 512) writevSync(fd, segment.data.slice(i, i + 512));
  } finally {
    closeSync(fd);
  }
}

function runFfmpeg(path: string, outDir: string): { seconds: number; maxRssKb: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', 'ffmpeg', '-v', 'error', '-nostdin', '-i', path, '-c', 'copy', '-f', 'hls',
    '-hls_time', '5', '-hls_list_size', '0', '-hls_segment_filename', join(outDir, '%05d.ts'), join(outDir, 'index.m3u8')], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  const maxRssKb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, maxRssKb };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mbps = (bytes: number, seconds: number): number => bytes / 1e6 / seconds;

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'kiln-bench-'));
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '5' } } });
  const rounds = Math.max(1, Number(values.rounds));
  const input = await ensureInput();
  const bytes = statSync(input).size;
  process.stdout.write(`input ${input}: ${(bytes / 1e6).toFixed(1)} MB; node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}\n`);
  runKiln(input, undefined); // warm the page cache and the JIT
  const discard: number[] = [];
  const write: number[] = [];
  const stream: number[] = [];
  const ffmpeg: number[] = [];
  let ffmpegRss = 0;
  let segments = 0;
  for (let round = 1; round <= rounds; round++) {
    const kiln = runKiln(input, undefined);
    segments = kiln.segments;
    discard.push(mbps(bytes, kiln.seconds));
    const kilnDir = freshDir();
    write.push(mbps(bytes, runKiln(input, kilnDir).seconds));
    rmSync(kilnDir, { recursive: true, force: true });
    stream.push(mbps(bytes, await runKilnStream(input)));
    const ffDir = freshDir();
    const ff = runFfmpeg(input, ffDir);
    rmSync(ffDir, { recursive: true, force: true });
    ffmpeg.push(mbps(bytes, ff.seconds));
    ffmpegRss = Math.max(ffmpegRss, ff.maxRssKb);
    process.stdout.write(`round ${round}: kiln discard ${discard.at(-1)!.toFixed(0)} MB/s, kiln write ${write.at(-1)!.toFixed(0)} MB/s, kiln stream ${stream.at(-1)!.toFixed(0)} MB/s, ffmpeg hls ${ffmpeg.at(-1)!.toFixed(0)} MB/s\n`);
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const line = (name: string, list: number[]): string => `${name.padEnd(30)} median ${median(list).toFixed(0).padStart(5)} MB/s   best ${Math.max(...list).toFixed(0).padStart(5)} MB/s\n`;
  process.stdout.write(`\n${segments} segments per run, ${rounds} rounds\n`);
  process.stdout.write(line('kiln (segments discarded)', discard));
  process.stdout.write(line('kiln (segments written)', write));
  process.stdout.write(line('kiln (read stream + adapter)', stream));
  process.stdout.write(line('ffmpeg -c copy -f hls', ffmpeg));
  process.stdout.write(`ratio kiln/ffmpeg (medians): discard ${(median(discard) / median(ffmpeg)).toFixed(1)}×, stream ${(median(stream) / median(ffmpeg)).toFixed(1)}×, write ${(median(write) / median(ffmpeg)).toFixed(1)}×\n`);
  process.stdout.write(`peak RSS: kiln bench process ${rssMb.toFixed(0)} MB (whole node process), ffmpeg ${(ffmpegRss / 1024).toFixed(0)} MB\n`);
}
