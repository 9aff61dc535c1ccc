import { Readable } from 'node:stream';
import { spawnMediaTool, type MediaToolProcess, type SpawnMediaToolOptions } from './process.js';

/** Binaries are looked up on PATH unless these environment variables name them. */
export const ffmpegBinary = (): string => process.env.KILN_FFMPEG_PATH ?? 'ffmpeg';
export const ffprobeBinary = (): string => process.env.KILN_FFPROBE_PATH ?? 'ffprobe';

export function spawnFfmpeg(args: readonly string[], options?: SpawnMediaToolOptions): MediaToolProcess {
  return spawnMediaTool(ffmpegBinary(), args, options);
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Bytes (or a stream) written to the tool's stdin. */
  readonly input?: Uint8Array | Readable;
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs ffmpeg to completion and collects stdout: for small outputs (fixtures, probes, thumbnails). */
export function runFfmpeg(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runToCompletion(ffmpegBinary(), args, options);
}

export function runFfprobe(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runToCompletion(ffprobeBinary(), args, options);
}

async function runToCompletion(binary: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const child = spawnMediaTool(binary, args, {
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (options.input !== undefined) {
    const input = options.input instanceof Readable ? options.input : Readable.from([options.input]);
    // ffmpeg may stop reading early (EPIPE): its exit status is what counts, not the write.
    child.stdin!.on('error', () => undefined);
    input.pipe(child.stdin!);
  }
  const { stderr } = await child.done;
  return { stdout: Buffer.concat(chunks), stderr };
}
