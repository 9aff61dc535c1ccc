/**
 * Ingest's look at an upload: ffprobe, a packet scan (demux only, no decode), a short trial
 * decode and, for MP4/MOV, the fast-start view's own check; then classify(). Every run is
 * judged by what it printed, not by its exit status (ffmpeg exits 0 on some broken inputs and
 * 1 on some good ones), and every run is bounded by an AbortSignal.
 */
import { stat } from 'node:fs/promises';
import {
  chooseAudio, chooseVideo, ffprobeBinary, isKilnError, parseProbeOutput, spawnMediaTool, spawnFfmpeg,
  type MediaToolProcess, type ProbeResult,
} from '@kiln/shared';
import { fileRangeReader, openFastStartView, SourceErrors } from '../source/index.js';
import { classify } from './classify.js';
import { IngestErrors } from './errors.js';
import { parseScan, parseTrial, probeArgs, scanArgs, trialArgs, type TrialStreams } from './probe-args.js';
import { isFragmented, topLevelBoxTypes } from './mp4-layout.js';
import { isMovFamily } from './remux-rules.js';
import { DEFAULT_LIMITS, type IngestLimits, type MeasuredFacts, type Verdict } from './types.js';

export interface InspectOptions {
  readonly limits?: IngestLimits;
  readonly signal?: AbortSignal;
  /** Bound on each tool run; a run past it is killed and the ingest fails (INGEST_FAILED). */
  readonly timeoutMs?: number;
  readonly trialSeconds?: number;
  /** Told how long each tool run took (for step timings). */
  readonly onTool?: (tool: string, started: number, ms: number) => void;
}

function timedTool<T>(options: InspectOptions, tool: string, run: Promise<T>): Promise<T> {
  const started = Date.now();
  return run.finally(() => options.onTool?.(tool, started, Date.now() - started));
}

export interface Inspection {
  readonly verdict: Verdict;
  /** Absent when ffprobe could not read the file at all. */
  readonly probe?: ProbeResult;
  readonly facts?: MeasuredFacts;
}

interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Runs a tool to its end and keeps what it printed whatever its exit; only a stop or a missing binary throws. */
async function collect(child: MediaToolProcess): Promise<ToolOutput> {
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  try {
    const { stderr } = await child.done;
    return { stdout: Buffer.concat(chunks).toString('utf8'), stderr, exitCode: 0 };
  } catch (error) {
    if (!isKilnError(error) || error.code !== 'FFMPEG_FAILED') throw error;
    const details = error.details ?? {};
    const stderr = typeof details.stderr === 'string' ? details.stderr : error.message;
    const exitCode = typeof details.exitCode === 'number' ? details.exitCode : null;
    return { stdout: Buffer.concat(chunks).toString('utf8'), stderr, exitCode };
  }
}

function boundedSignal(options: InspectOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  return options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
}

export async function inspectSource(path: string, options: InspectOptions = {}): Promise<Inspection> {
  try {
    return await inspect(path, options);
  } catch (error) {
    if (isKilnError(error) && error.code === 'FFMPEG_ABORTED') {
      throw IngestErrors.create('INGEST_FAILED', `inspecting the upload took too long or was stopped`, { cause: error });
    }
    throw error;
  }
}

async function inspect(path: string, options: InspectOptions): Promise<Inspection> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const fileSize = (await stat(path)).size;
  const probed = await timedTool(options, 'probe', collect(spawnMediaTool(ffprobeBinary(), probeArgs(path), { signal: boundedSignal(options) })));
  const probe = probed.stdout.trim() === '' ? undefined : parseProbeOutput(probed.stdout);
  if (probe === undefined || probe.streams.length === 0) {
    return { verdict: await unreadableVerdict(path, probed.stderr) };
  }
  const early = classify({ probe, fileSize, limits });
  // Without streams to decode or with a picture too large, measuring changes nothing.
  if (early.outcome === 'refused' && ['NOT_A_VIDEO', 'UNSUPPORTED_CODEC', 'TOO_LARGE'].includes(early.refusal.code)) {
    return { verdict: early, probe };
  }
  const facts = await measure(path, probe, options);
  return { verdict: classify({ probe, fileSize, facts, limits }), probe, facts };
}

async function measure(path: string, probe: ProbeResult, options: InspectOptions): Promise<MeasuredFacts> {
  const streams: TrialStreams = { video: chooseVideo(probe)?.index, audio: chooseAudio(probe)?.index };
  const mov = isMovFamily(probe.format?.format_name ?? '');
  const [scanned, trial, view] = await Promise.all([
    timedTool(options, 'scan', collect(spawnMediaTool(ffprobeBinary(), scanArgs(path), { signal: boundedSignal(options) }))),
    timedTool(options, 'trial', collect(spawnFfmpeg(trialArgs(path, streams, options.trialSeconds), { signal: boundedSignal(options) }))),
    mov ? timedTool(options, 'view', checkFastStartView(path)) : Promise.resolve(undefined),
  ]);
  return {
    scan: parseScan(scanned.stdout),
    trial: parseTrial(trial.stdout, trial.stderr, streams),
    ...(view?.problem === undefined ? {} : { mp4Problem: view.problem }),
    ...(view === undefined ? {} : { fragmentedMp4: view.fragmented }),
  };
}

/** What the worker's own reader thinks of an MP4/MOV: its error code, and whether it is fragmented. */
async function checkFastStartView(path: string): Promise<{ problem?: string; fragmented: boolean }> {
  const reader = await fileRangeReader(path);
  try {
    const view = await openFastStartView(reader);
    return { fragmented: view.fragmented || isFragmented(await topLevelBoxTypes(reader)) };
  } catch (error) {
    if (SourceErrors.is(error)) return { problem: error.code, fragmented: false };
    throw error;
  } finally {
    await reader.close();
  }
}

/** ffprobe found no stream: a damaged file of a known container, a cut-off MP4, or not media at all. */
async function unreadableVerdict(path: string, stderr: string): Promise<Verdict> {
  const refuse = (code: 'NOT_A_VIDEO' | 'CORRUPT' | 'TRUNCATED', message: string): Verdict => ({ outcome: 'refused', refusal: { code, message } });
  const demuxer = /\[([\w,]+) @ /.exec(stderr)?.[1];
  if (/not on whitelist/.test(stderr)) return refuse('NOT_A_VIDEO', `the file is not in a container Kiln reads (${demuxer ?? 'unknown'})`);
  if (demuxer === undefined) return refuse('NOT_A_VIDEO', 'the file is not a video or audio file Kiln recognises');
  if (isMovFamily(demuxer)) {
    const view = await checkFastStartView(path).catch(() => ({ problem: undefined }));
    if (view.problem === 'SOURCE_TRUNCATED' || view.problem === 'SOURCE_NO_MOOV') {
      return refuse('TRUNCATED', 'the MP4 ends before its index (moov): the upload was cut off');
    }
  }
  const reason = stderr.trim().split('\n')[0]?.replace(/^\[[^\]]*\]\s*/, '') ?? '';
  return refuse('CORRUPT', `the file looks like ${demuxer} but cannot be read: ${reason}`);
}
