/**
 * Makes the one MP4 a worker reads, once per upload: nothing for a sound MP4/MOV, a remux or a
 * mezzanine encode otherwise. ffmpeg writes to a private temp directory that is removed whatever
 * happens; the result is judged by probing what was written, then moved to the caller's path or
 * put into object storage.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffprobeArgs, isKilnError, LOCAL_PROTOCOLS, MP4_DEMUXERS, parseProbeOutput, runFfmpeg, runFfprobe, type ObjectStorage } from '@kiln/shared';
import { IngestErrors } from './errors.js';
import { mezzanineArgs, remuxArgs, type MezzanineOptions } from './normalize-args.js';
import type { IngestPlan } from './types.js';

export type NormalizeTarget =
  | { readonly path: string }
  | { readonly storage: ObjectStorage; readonly key: string };

export interface NormalizeOptions {
  readonly target: NormalizeTarget;
  readonly signal?: AbortSignal;
  /** Where the temp directory goes (default: the OS temp dir). */
  readonly scratchDir?: string;
  readonly mezzanine?: MezzanineOptions;
}

export interface NormalizeResult {
  readonly action: IngestPlan['normalize']['kind'];
  /** Duration of the MP4 written, as ffprobe reads it; undefined when nothing was written. */
  readonly outputDurationSeconds?: number;
}

/** The arguments for the plan's action, or undefined when the source is used as it is. */
export function normalizeArgs(input: string, plan: IngestPlan, output: string, mezzanine?: MezzanineOptions): string[] | undefined {
  switch (plan.normalize.kind) {
    case 'none':
      return undefined;
    case 'remux':
      return remuxArgs(input, plan, output);
    case 'mezzanine':
      return mezzanineArgs(input, plan, output, mezzanine);
  }
}

export async function normalizeSource(input: string, plan: IngestPlan, options: NormalizeOptions): Promise<NormalizeResult> {
  if (plan.normalize.kind === 'none') return { action: 'none' };
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'kiln-ingest-'));
  try {
    const output = join(scratch, 'source.mp4');
    const args = normalizeArgs(input, plan, output, options.mezzanine);
    if (args === undefined) return { action: 'none' };
    await runTool(() => runFfmpeg(args, options.signal === undefined ? {} : { signal: options.signal }), plan);
    const outputDurationSeconds = await checkOutput(output, plan);
    await deliver(output, options.target);
    return { action: plan.normalize.kind, outputDurationSeconds };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runTool<T>(run: () => Promise<T>, plan: IngestPlan): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = `the ${plan.normalize.kind} of the upload failed`;
    throw isKilnError(error) && error.code === 'FFMPEG_NOT_FOUND' ? error : IngestErrors.create('INGEST_FAILED', message, { cause: error });
  }
}

/**
 * ffmpeg may exit 0 having written nothing useful: the MP4 must hold the planned streams and a
 * length. It is read as an MP4 only, like every later read of it.
 */
async function checkOutput(path: string, plan: IngestPlan): Promise<number> {
  const args = ffprobeArgs(path, { protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS });
  const { stdout } = await runTool(() => runFfprobe(args), plan);
  const probe = parseProbeOutput(stdout.toString('utf8'));
  const has = (type: string) => probe.streams.some((stream) => stream.codec_type === type);
  const duration = probe.format?.duration ?? 0;
  const missing = (plan.video !== undefined && !has('video')) || (plan.audio !== undefined && !has('audio'));
  if (missing || !(duration > 0)) {
    throw IngestErrors.create('INGEST_FAILED', `the ${plan.normalize.kind} wrote an MP4 without its streams or length`, {
      details: { streams: probe.streams.map((stream) => stream.codec_type), duration },
    });
  }
  return duration;
}

async function deliver(file: string, target: NormalizeTarget): Promise<void> {
  if ('path' in target) {
    await copyFile(file, target.path);
    return;
  }
  await target.storage.put(target.key, createReadStream(file), { contentType: 'video/mp4' });
}
