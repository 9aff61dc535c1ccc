import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SharedErrors, type KilnError } from '../errors.js';
import { killOnDeath } from '../process-watchdog.js';

/** How much of stderr we keep for error messages: the tail is where ffmpeg says what went wrong. */
const STDERR_TAIL_BYTES = 16 * 1024;

export interface SpawnMediaToolOptions {
  /** Aborting kills the whole process group with SIGKILL and rejects `done` with FFMPEG_ABORTED. */
  readonly signal?: AbortSignal;
  /** Where stdin comes from: 'pipe' exposes `stdin`; 'ignore' (default) gives ffmpeg none. */
  readonly stdin?: 'pipe' | 'ignore';
  /** 'pipe' (default) exposes `stdout`; 'ignore' discards it. */
  readonly stdout?: 'pipe' | 'ignore';
  /** 'pipe' gives the tool a second output, file descriptor 3 (`pipe:3`), exposed as `fd3`. */
  readonly fd3?: 'pipe';
  /** More outputs on file descriptors 3, 4, … (`pipe:3`, …), exposed in order as `outputs` (with fd3, its first is fd 3). */
  readonly extraOutputs?: number;
  /**
   * Runs the tool under `nice -n N`: background work yields the CPU to what a viewer waits for. Set
   * before the tool starts, so every thread it makes inherits it (a later setpriority would reach
   * only the threads that exist by then).
   */
  readonly niceness?: number;
}

export interface MediaToolExit {
  readonly exitCode: number;
  readonly stderr: string;
}

export interface MediaToolProcess {
  readonly pid: number;
  readonly commandLine: string;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** The second output when spawned with `fd3: 'pipe'`, else null. */
  readonly fd3: Readable | null;
  /** Every output past stdout (fd 3, 4, …), empty when there are none. */
  readonly outputs: readonly Readable[];
  /** Resolves on exit 0; rejects with a KilnError that carries the command line and stderr tail. */
  readonly done: Promise<MediaToolExit>;
  /** Signals the whole process group (ffmpeg may start helpers of its own). */
  kill(signal?: NodeJS.Signals): void;
  /** SIGSTOP / SIGCONT: a transcode that runs too far ahead of its player is paused, not killed. */
  pause(): void;
  resume(): void;
}

/** Every process group we started and that has not exited: killed if this process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/** Quotes an argument list the way a person would paste it into a shell. */
export function formatCommandLine(binary: string, args: readonly string[]): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
  return [binary, ...args].map(quote).join(' ');
}

/** Keeps the last `limit` bytes of a stream without letting it grow. */
function collectTail(stream: Readable, limit: number): () => string {
  let chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    while (size - (chunks[0]?.length ?? 0) >= limit) size -= chunks.shift()!.length;
  });
  return () => {
    const all = Buffer.concat(chunks);
    chunks = [all];
    return all.subarray(Math.max(0, all.length - limit)).toString('utf8');
  };
}

/**
 * Spawns ffmpeg or ffprobe with an argument array (never a shell) in its own process group.
 * The caller reads stdout; the result is judged by `done`, and callers must also judge what
 * was produced: ffmpeg exits 0 on some inputs while writing nothing (a moov-at-end MP4 on stdin with `-c copy`).
 */
export function spawnMediaTool(
  binary: string,
  args: readonly string[],
  options: SpawnMediaToolOptions = {},
): MediaToolProcess {
  installExitHook();
  const [command, commandArgs] = options.niceness === undefined ? [binary, args] : ['nice', ['-n', String(options.niceness), binary, ...args]];
  const commandLine = formatCommandLine(command, commandArgs);
  const extra = Math.max(options.extraOutputs ?? 0, options.fd3 === undefined ? 0 : 1);
  const child = spawn(command, commandArgs, {
    detached: true,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe', ...Array.from({ length: extra }, () => 'pipe' as const)],
  });
  const outputs = child.stdio.slice(3) as Readable[];
  const stderrTail = collectTail(child.stderr!, STDERR_TAIL_BYTES);
  const pid = child.pid ?? -1;
  // Our exit hook covers a normal exit; the watchdog covers our being killed outright.
  const releaseWatchdog = pid > 0 ? killOnDeath(-pid) : () => undefined;
  if (pid > 0) liveGroups.add(pid);
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    signalGroup(pid, 'SIGCONT');
    signalGroup(pid, 'SIGKILL');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const done = waitForExit(child, binary, commandLine, stderrTail, () => aborted).finally(() => {
    liveGroups.delete(pid);
    releaseWatchdog();
    options.signal?.removeEventListener('abort', onAbort);
  });
  return {
    pid,
    commandLine,
    stdin: child.stdin,
    stdout: child.stdout,
    fd3: options.fd3 === undefined ? null : (outputs[0] ?? null),
    outputs,
    done,
    kill: (signal = 'SIGKILL') => signalGroup(pid, signal),
    pause: () => signalGroup(pid, 'SIGSTOP'),
    resume: () => signalGroup(pid, 'SIGCONT'),
  };
}

function waitForExit(
  child: ChildProcess,
  binary: string,
  commandLine: string,
  stderrTail: () => string,
  wasAborted: () => boolean,
): Promise<MediaToolExit> {
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? SharedErrors.create('FFMPEG_NOT_FOUND', `${binary} is not installed or not on PATH`, { cause: error })
          : SharedErrors.create('FFMPEG_FAILED', `${binary} could not start: ${error.message}`, { cause: error }),
      );
    });
    // 'close' (not 'exit') so stderr has been read to its end.
    child.once('close', (code, signal) => {
      const stderr = stderrTail();
      if (code === 0) return resolve({ exitCode: 0, stderr });
      reject(exitError({ binary, commandLine, stderr, code, signal, aborted: wasAborted() }));
    });
  });
}

interface ExitFacts {
  binary: string;
  commandLine: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  aborted: boolean;
}

function exitError(facts: ExitFacts): KilnError {
  const details = { commandLine: facts.commandLine, exitCode: facts.code, signal: facts.signal, stderr: facts.stderr };
  if (facts.aborted) return SharedErrors.create('FFMPEG_ABORTED', `${facts.binary} was stopped`, { details });
  const lastLine = facts.stderr.trim().split('\n').at(-1) ?? '';
  const how = facts.code === null ? `was killed by ${facts.signal}` : `exited with ${facts.code}`;
  return SharedErrors.create('FFMPEG_FAILED', `${facts.binary} ${how}: ${lastLine}`, { details });
}
