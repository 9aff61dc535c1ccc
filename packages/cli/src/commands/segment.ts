/**
 * `kiln segment --out DIR [--schedule 2,2,3,3,4,4,5]`: MPEG-TS on stdin, cut at the first IDR at
 * or after each boundary (counted from the first video PTS), into DIR/00000.ts, DIR/00001.ts, …
 * and DIR/index.m3u8 with the measured EXTINF. One JSON line per segment on stdout.
 *
 * Exit codes: 0 all segments on schedule; 3 written, but some segment is off schedule or does not
 * start on a key frame (the JSON line and stderr say which); 1 no segment at all; 2 bad usage.
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boundariesFromDurations, checkSegment, segmentStream, Segmenter, type Segment, type SegmenterLogger } from '@kiln/segmenter';

const USAGE = 'usage: kiln segment --out DIR [--schedule 2,2,3,3,4,4,5] < input.ts';
const DEFAULT_SCHEDULE = '2,2,3,3,4,4,5';
/** Stay below IOV_MAX when handing a segment's views to writev. */
const WRITEV_BATCH = 512;

export interface SegmentCommandIo {
  readonly stdin: AsyncIterable<Uint8Array>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

interface Written {
  readonly file: string;
  readonly durationSeconds: number;
}

export async function segmentCommand(args: string[], io: SegmentCommandIo = process): Promise<number> {
  const parsed = parseCommandLine(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`${parsed}\n${USAGE}\n`);
    return 2;
  }
  await mkdir(parsed.out, { recursive: true });
  const segmenter = new Segmenter({ boundaryPts: boundariesFromDurations(parsed.schedule), origin: 'relative', logger: stderrLogger(io) });
  const written: Written[] = [];
  let offSchedule = 0;
  for await (const segment of segmentStream(io.stdin, segmenter)) {
    const file = `${String(written.length).padStart(5, '0')}.ts`;
    await writeSegment(join(parsed.out, file), segment);
    written.push({ file, durationSeconds: segment.durationSeconds });
    const problem = checkSegment(segment);
    if (problem !== undefined) {
      offSchedule++;
      io.stderr.write(`kiln segment: ${file}: ${problem.code}: ${problem.message}\n`);
    }
    io.stdout.write(`${JSON.stringify(describe(segment, file))}\n`);
  }
  if (written.length === 0) {
    io.stderr.write('kiln segment: no segment: the input holds no MPEG-TS packets\n');
    return 1;
  }
  await writeFile(join(parsed.out, 'index.m3u8'), mediaPlaylist(written));
  return offSchedule > 0 ? 3 : 0;
}

function parseCommandLine(args: string[]): { out: string; schedule: number[] } | string {
  let values: { out?: string | undefined; schedule?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { out: { type: 'string' }, schedule: { type: 'string', default: DEFAULT_SCHEDULE } }, strict: true }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.out === undefined || values.out === '') return '--out DIR is required';
  const schedule = (values.schedule ?? DEFAULT_SCHEDULE).split(',').map((s) => Number(s.trim()));
  if (schedule.length === 0 || schedule.some((d) => !Number.isInteger(d) || d <= 0)) {
    return `--schedule wants whole seconds above 0, separated by commas (got ${JSON.stringify(values.schedule)})`;
  }
  return { out: values.out, schedule };
}

async function writeSegment(path: string, segment: Segment): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < segment.data.length; i += WRITEV_BATCH) await handle.writev(segment.data.slice(i, i + WRITEV_BATCH));
  } finally {
    await handle.close();
  }
}

function describe(segment: Segment, file: string): Record<string, unknown> {
  return {
    file,
    index: segment.index,
    startPts: segment.startPts,
    duration: segment.durationSeconds,
    bytes: segment.byteLength,
    frames: segment.accessUnits,
    keyframe: segment.startsWithKeyframe,
    onSchedule: segment.onSchedule,
    ...(segment.forced ? { forced: true } : {}),
  };
}

/** RFC 8216 media playlist: TARGETDURATION is the largest EXTINF rounded to the nearest integer. */
export function mediaPlaylist(segments: readonly Written[]): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSeconds)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (const s of segments) lines.push(`#EXTINF:${s.durationSeconds.toFixed(6)},`, s.file);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function stderrLogger(io: SegmentCommandIo): SegmenterLogger {
  return { warn: (obj, msg) => io.stderr.write(`kiln segment: ${msg} ${JSON.stringify(obj)}\n`) };
}
