/**
 * The sample media acceptance run: every file of the sample media folder uploaded through the API of a
 * test cluster, then either refused (`failed` with a code) or `ready` and read to its end by
 * ffmpeg as an HLS client, its length checked against the original file's and its segments' bit
 * rates against what the master declared (played-rates.ts). Every wait is
 * bounded, so a hung job or a stuck `processing` shows up as a row, not as a hung run.
 */
import { join } from 'node:path';
import { sampleMediaRateExemption, type SampleMediaOutcome } from '@kiln/shared/testing';
import { playbackUrl, settledVideo, uploadFile, type UploadedVideo } from './upload-client.js';
import { chooseVariant, type Variant } from './master-playlist.js';
import { measurePlayedRates, type CacheIndex, type RateCheck } from './played-rates.js';
import { extentSeconds, playedTimeline, sourceTimeline, type PlayedTimeline, type Timeline } from './timeline.js';

export interface AcceptanceBounds {
  /** Upload answered → `ready` or `failed`. */
  readonly settleMs: number;
  /** The whole variant read by ffmpeg. */
  readonly playMs: number;
}

export const DEFAULT_BOUNDS: AcceptanceBounds = { settleMs: 180_000, playMs: 300_000 };

export interface DurationCheck {
  readonly kind: 'video' | 'audio';
  /** The source's length this was compared with (its video's, or for irregular timing the file's span when closer). */
  readonly sourceSeconds: number;
  readonly playedSeconds: number;
  readonly toleranceSeconds: number;
  /** The source's timing is irregular (several frame durations, or packets without timestamps). */
  readonly irregular: boolean;
  readonly ok: boolean;
}

export interface AcceptanceRow {
  readonly file: string;
  /** `stuck`: neither ready nor failed in time; `error`: the run itself failed (upload, play). */
  readonly outcome: 'ready' | 'failed' | 'stuck' | 'error';
  readonly code?: string;
  readonly message?: string;
  /** Upload answered (202) → `ready` or `failed`. */
  readonly settleSeconds?: number;
  readonly variant?: Variant;
  readonly duration?: DurationCheck;
  readonly audio?: { readonly expected: boolean; readonly present: boolean };
  /** ffmpeg's complaints while reading, other than the audio priming overlap (docs/architecture.md "Timestamps"). */
  readonly playerErrors?: readonly string[];
  /** Packets ffmpeg flagged corrupt: TS continuity counters jumping where runs meet. */
  readonly continuityJumps?: number;
  /** The played variant's peak and average bit rates against its BANDWIDTH and AVERAGE-BANDWIDTH. */
  readonly rates?: RateCheck;
  readonly playSeconds?: number;
}

/** Where the API is and where the files are. */
export interface AcceptanceTarget {
  readonly base: string;
  readonly mediaDir: string;
  /** The cluster's cache index, where the played segments' sizes are read. */
  readonly cache: CacheIndex;
  readonly bounds?: AcceptanceBounds;
}

export interface AcceptanceOptions extends AcceptanceTarget {
  readonly files: readonly string[];
  /** Files in flight at once (upload → settle → play). */
  readonly concurrency: number;
  readonly onRow?: (row: AcceptanceRow) => void;
}

/** Runs every file, `concurrency` at a time; rows come back in the order of `files`. */
export async function runMediaAcceptance(options: AcceptanceOptions): Promise<AcceptanceRow[]> {
  const rows = new Map<string, AcceptanceRow>();
  const queue = [...options.files];
  const lane = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const row = await acceptFile(options, file).catch((error: unknown) => errorRow(file, error));
      rows.set(file, row);
      options.onRow?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return options.files.map((file) => rows.get(file) ?? errorRow(file, new Error('not run')));
}

function errorRow(file: string, error: unknown): AcceptanceRow {
  return { file, outcome: 'error', message: error instanceof Error ? error.message : String(error) };
}

/** One file: upload, wait for `ready` or `failed`, and when ready read the chosen variant to its end. */
export async function acceptFile(options: AcceptanceTarget, file: string): Promise<AcceptanceRow> {
  const path = join(options.mediaDir, file);
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  const id = await uploadFile(options.base, path);
  const started = performance.now();
  const view = await settle(options.base, id, bounds.settleMs);
  const settleSeconds = (performance.now() - started) / 1000;
  if (view === undefined) return { file, outcome: 'stuck', message: `still processing after ${bounds.settleMs / 1000} s`, settleSeconds };
  if (view.state === 'failed') return { file, outcome: 'failed', code: view.error?.code ?? '?', message: view.error?.message ?? '', settleSeconds };
  const [source, played] = await Promise.all([sourceTimeline(path), play(options.base, id, bounds.playMs)]);
  const judged = judgePlayback(source, played.timeline, played.variant);
  const rates = await measurePlayedRates(options.cache, id, played.variant);
  return { file, outcome: 'ready', settleSeconds, ...judged, continuityJumps: continuityJumps(played.timeline.stderr), rates, playSeconds: played.seconds };
}

/** The video once `ready` or `failed`; undefined when it is neither within `ms` (polled every 100 ms). */
function settle(base: string, id: string, ms: number): Promise<UploadedVideo | undefined> {
  return settledVideo(base, id, Math.ceil(ms / 100)).catch(() => undefined);
}

/** A one-time link, its master, the chosen variant read to its end. */
async function play(base: string, id: string, ms: number): Promise<{ variant: Variant; timeline: PlayedTimeline; seconds: number }> {
  const master = new URL(await playbackUrl(base, id, 'mobile'));
  const response = await fetch(master);
  if (response.status !== 200) throw new Error(`master playlist of ${id}: HTTP ${response.status}`);
  const variant = chooseVariant(await response.text(), master);
  const started = performance.now();
  const timeline = await playedTimeline(variant.url, AbortSignal.timeout(ms));
  return { variant, timeline, seconds: (performance.now() - started) / 1000 };
}

/** ffmpeg's "Packet corrupt" / "corrupt input packet": a TS continuity counter jumping between segments made by different runs. */
const CONTINUITY_JUMP = /Packet corrupt \(stream = \d+|corrupt input packet in stream \d+/;

export const continuityJumps = (stderr: string): number => stderr.split('\n').filter((line) => /Packet corrupt/.test(line)).length;

/**
 * What ffmpeg printed that a player should not meet. Allowed: where runs meet, audio starting up
 * to one AAC frame early (docs/architecture.md "Timestamps"), which ffmpeg reports as a DTS step back; and
 * continuity counter jumps there (counted apart: the packets still decode).
 */
export function playerErrors(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !CONTINUITY_JUMP.test(line)).filter((line) => {
    const overlap = /non monotonically increasing dts to muxer in stream \d+: (\d+) >= (\d+)|Non-monotonous DTS .*previous: (\d+), current: (\d+)/.exec(line);
    const step = overlap === null ? Infinity : Number(overlap[1] ?? overlap[3]) - Number(overlap[2] ?? overlap[4]);
    return !(step < 1024);
  });
}

/** One AAC frame at the renditions' 48 kHz; an audio-only length may be off by two (priming, padding to whole frames). */
const AAC_FRAME_SECONDS = 1024 / 48_000;

/**
 * The played length against the source's: the video's (the audio's for audio-only sources),
 * within one output frame. Where the source's timing is irregular, within 0.1 s (at least a
 * frame) of either its video or the whole file's span: Kiln keeps a picture for the file's
 * length when a broadcast capture's video starts undecodable or ends early.
 */
export function judgePlayback(source: Timeline, played: PlayedTimeline, variant: Variant): Pick<AcceptanceRow, 'variant' | 'duration' | 'audio' | 'playerErrors'> {
  const kind = source.video === undefined ? 'audio' : 'video';
  const sourceExtent = source[kind];
  const playedExtent = played[kind];
  const audio = { expected: source.audio !== undefined, present: played.audio !== undefined };
  const errors = playerErrors(played.stderr);
  if (sourceExtent === undefined) return { variant, audio, playerErrors: [...errors, 'the source has neither video nor audio packets'] };
  const frame = kind === 'video' && variant.frameRate !== undefined ? 1 / variant.frameRate : 2 * AAC_FRAME_SECONDS;
  const { irregular } = sourceExtent;
  const toleranceSeconds = (irregular ? Math.max(0.1, frame) : frame) + 1e-6;
  const candidates = [extentSeconds(sourceExtent), ...(irregular ? [fileSpan(source)] : [])];
  const playedSeconds = playedExtent === undefined ? 0 : extentSeconds(playedExtent);
  const sourceSeconds = candidates.reduce((best, candidate) => (Math.abs(candidate - playedSeconds) < Math.abs(best - playedSeconds) ? candidate : best));
  const ok = playedExtent !== undefined && Math.abs(playedSeconds - sourceSeconds) <= toleranceSeconds;
  return { variant, duration: { kind, sourceSeconds, playedSeconds, toleranceSeconds, irregular, ok }, audio, playerErrors: errors };
}

const fileSpan = (timeline: Timeline): number => {
  const extents = [timeline.video, timeline.audio].filter((extent) => extent !== undefined);
  return Math.max(...extents.map((extent) => extent.end)) - Math.min(...extents.map((extent) => extent.start));
};

/** Why a row is not what the sample media table expects for its file (none: it is). */
export function acceptanceProblems(row: AcceptanceRow, expected: SampleMediaOutcome | undefined): string[] {
  if (expected === undefined) return ['the file is not in the sample media table'];
  if (row.outcome === 'stuck' || row.outcome === 'error') return [`${row.outcome}: ${row.message ?? ''}`];
  if (expected.outcome === 'refused') {
    return row.outcome === 'failed' && row.code === expected.code ? [] : [`expected failed ${expected.code}, got ${row.outcome} ${row.code ?? ''} ${row.message ?? ''}`];
  }
  if (row.outcome !== 'ready') return [`expected ready, got failed ${row.code ?? ''}: ${row.message ?? ''}`];
  const problems: string[] = [];
  const { duration, audio } = row;
  if (duration === undefined || !duration.ok) problems.push(`played ${duration?.playedSeconds.toFixed(3) ?? '?'} s of ${duration?.sourceSeconds.toFixed(3) ?? '?'} s`);
  if (audio !== undefined && audio.expected !== audio.present) problems.push(audio.expected ? 'the audio is missing' : 'audio that the source does not have');
  if (expected.kind === 'audio-only' && row.variant?.resolution !== undefined) problems.push('an audio-only source played with video');
  if (row.rates === undefined) problems.push('the bit rates were not measured');
  else if (sampleMediaRateExemption(row.file) === undefined) {
    const { rendition } = row.rates;
    problems.push(...row.rates.problems.map((problem) => `${rendition}: ${problem}`));
  }
  return [...problems, ...(row.playerErrors ?? []).map((line) => `ffmpeg: ${line}`)];
}
