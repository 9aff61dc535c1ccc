/**
 * `pnpm bench faststart [--sizes 1,4] [--rounds 3]`: Kiln's fast-start view of a moov-at-end MP4
 * written to /dev/null by the code `kiln faststart IN OUT` runs (`writeFastStartFile`), against
 * `cat` of the same file (page cache warm) and ffmpeg's own `-c copy -movflags +faststart` remux. Inputs (≥ 1 GB and ≥ 4 GB, moov at the end) are made once
 * by looping a short high-bitrate clip with `-stream_loop N -c copy`, cached in /work/main/.bench/.
 * Kiln runs in a child process so that its peak RSS is its own. MB = 10^6 bytes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFastStartFile } from '../src/source/file-copy.js';

const HERE = fileURLToPath(import.meta.url);
const BENCH_DIR = join(resolve(dirname(HERE), '../../..'), '.bench');
const CLIP = join(BENCH_DIR, 'faststart-clip-1080p-10s.mp4');

function run(command: string, args: string[], stdout: 'ignore' | 'pipe' = 'ignore'): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', stdout, 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else done({ seconds: Number(process.hrtime.bigint() - started) / 1e9, output });
    });
  });
}

async function ensureInput(gigabytes: number): Promise<string> {
  const path = join(BENCH_DIR, `faststart-moov-at-end-${gigabytes}g.mp4`);
  // 4 "GB" means past 4 GiB, so that the moov holds co64 tables.
  const wanted = gigabytes >= 4 ? gigabytes * 2 ** 30 + 1e8 : gigabytes * 1e9;
  if (existsSync(path) && statSync(path).size >= wanted) return path;
  mkdirSync(BENCH_DIR, { recursive: true });
  if (!existsSync(CLIP)) {
    process.stdout.write(`making ${CLIP} (once) …\n`);
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
      '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '60', '-c:a', 'aac', CLIP]);
  }
  const loops = Math.ceil((wanted * 1.02) / statSync(CLIP).size);
  process.stdout.write(`making ${path} (once, ${loops} loops) …\n`);
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-stream_loop', String(loops - 1), '-i', CLIP, '-c', 'copy', path]);
  return path;
}

interface KilnFigures {
  readonly seconds: number;
  readonly bytes: number;
  readonly readsBeforeFirstByte: number;
  readonly moovSize: number;
  readonly viewMoovSize: number;
  readonly maxRssBytes: number;
}

/** In the child: what `kiln faststart IN /dev/null` does (open the view, write all of it), timed. */
async function writeView(path: string): Promise<KilnFigures> {
  const started = process.hrtime.bigint();
  const { view, readsBeforeFirstByte, bytesWritten } = await writeFastStartFile(path, '/dev/null');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, bytes: bytesWritten, readsBeforeFirstByte, moovSize: view.moovSize, viewMoovSize: view.viewMoovSize, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

async function kilnInChild(path: string): Promise<KilnFigures> {
  const code = `import(${JSON.stringify(pathToFileURL(HERE).href)}).then((m) => m.main(['--child', ${JSON.stringify(path)}]))`;
  const { output } = await run(process.execPath, ['--import', 'tsx', '-e', code], 'pipe');
  return JSON.parse(output) as KilnFigures;
}

const mbps = (bytes: number, seconds: number): number => bytes / 1e6 / seconds;

/** Median and spread of a contender's rounds. */
function spread(values: number[]): { median: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const range = sorted.length > 1 ? ` (${sorted[0].toFixed(0)}–${sorted[sorted.length - 1].toFixed(0)})` : '';
  return { median, text: `${median.toFixed(0).padStart(6)} MB/s${range.padEnd(14)}` };
}

interface Round {
  readonly cat: number;
  readonly catPipe: number;
  readonly kiln: KilnFigures;
  readonly ffmpeg: number;
}

/** One round of each contender on a warm page cache; seconds. */
async function benchRound(path: string): Promise<Round> {
  const cat = await run('sh', ['-c', 'cat "$1" > /dev/null', 'sh', path]);
  // cat > /dev/null reads into user space as Kiln does (GNU cat: 128 KiB read/write, no splice);
  // through a pipe every byte is copied twice more, as for a consumer on a pipe such as ffmpeg's stdin.
  const catPipe = await run('sh', ['-c', 'cat "$1" | cat > /dev/null', 'sh', path]);
  const kiln = await kilnInChild(path);
  const out = join(BENCH_DIR, 'faststart-remux-out.mp4');
  const ffmpeg = await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', path, '-c', 'copy', '-movflags', '+faststart', out]);
  rmSync(out, { force: true });
  return { cat: cat.seconds, catPipe: catPipe.seconds, kiln, ffmpeg: ffmpeg.seconds };
}

async function benchOne(gigabytes: number, rounds: number): Promise<void> {
  const path = await ensureInput(gigabytes);
  const size = statSync(path).size;
  await run('cat', [path]); // warm the page cache
  const results: Round[] = [];
  for (let round = 0; round < rounds; round += 1) results.push(await benchRound(path));
  const kiln = spread(results.map((r) => mbps(r.kiln.bytes, r.kiln.seconds)));
  const rate = (pick: (r: Round) => number) => spread(results.map((r) => mbps(size, pick(r))));
  const [cat, catPipe, ffmpeg] = [rate((r) => r.cat), rate((r) => r.catPipe), rate((r) => r.ffmpeg)];
  const first = results[0].kiln;
  const peakRss = Math.max(...results.map((r) => r.kiln.maxRssBytes));
  const lines = [
    `input ${(size / 1e9).toFixed(2)} GB (${path}), moov ${first.moovSize} bytes → ${first.viewMoovSize} in the view; medians (min–max) of ${rounds} rounds`,
    `  kiln view → /dev/null  ${kiln.text}  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, ${first.readsBeforeFirstByte} range reads before the first byte`,
    `  cat > /dev/null        ${cat.text}  kiln/cat = ${(kiln.median / cat.median).toFixed(2)}`,
    `  cat | cat > /dev/null  ${catPipe.text}  kiln/cat-through-a-pipe = ${(kiln.median / catPipe.median).toFixed(2)}`,
    `  ffmpeg +faststart      ${ffmpeg.text}  kiln/ffmpeg = ${(kiln.median / ffmpeg.median).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--child' && args[1] !== undefined) {
    process.stdout.write(JSON.stringify(await writeView(args[1])));
    return;
  }
  const { values } = parseArgs({ args, options: { sizes: { type: 'string', default: '1,4' }, rounds: { type: 'string', default: '3' } } });
  const rounds = Math.max(1, Number(values.rounds));
  for (const gigabytes of (values.sizes ?? '1,4').split(',').map(Number)) await benchOne(gigabytes, rounds);
}
