import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { killOnDeath } from '../process-watchdog.js';

/**
 * Service processes started by this process, so none outlives it: stop() ends them one by one,
 * an 'exit' hook kills whatever is left, and the shared process watchdog kills them (and removes
 * their temp dirs) if this process dies without running its hooks.
 */
const running = new Map<number, { readonly child: ChildProcess; readonly tempDirectory: string; readonly release: () => void }>();
let exitHookInstalled = false;

/** Registers a service child (and the temp directory it uses) for cleanup at exit. */
export function trackChild(child: ChildProcess, tempDirectory: string): void {
  // A failed spawn (no such command) emits 'error'; waitForStartup reports it, so no crash here.
  child.on('error', () => undefined);
  if (child.pid === undefined) return;
  if (!exitHookInstalled) process.on('exit', killAllSync);
  exitHookInstalled = true;
  running.set(child.pid, { child, tempDirectory, release: killOnDeath(child.pid, tempDirectory) });
}

/** Lets the event loop end while the child runs: a forgotten stop() must not hang a test file. */
export function detachFromEventLoop(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
}

/** SIGTERM, then SIGKILL if it lingers; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  child.ref(); // a detached child would let the event loop end before its 'exit' event arrives
  const exited = hasExited(child) ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!hasExited(child)) child.kill('SIGTERM');
  const outcome = await Promise.race([exited.then(() => 'exited' as const), delay(graceMs, 'late' as const, { ref: false })]);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  if (child.pid !== undefined) {
    running.get(child.pid)?.release();
    running.delete(child.pid);
  }
}

/** Our environment for a child node process, minus NODE_TEST_CONTEXT (it would think it is a test file). */
export function childEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The last few KiB a child printed, for the message when it fails to start. */
export function captureOutput(child: ChildProcess, limit = 4096): () => string {
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

/**
 * Says on stderr when a test service dies while still in use, with its last output: otherwise a
 * test sees only its clients failing. `stopping()` is true once its owner has begun to stop it.
 */
export function reportUnexpectedExit(child: ChildProcess, name: string, output: () => string, stopping: () => boolean): void {
  child.once('exit', (code, signal) => {
    if (stopping()) return;
    process.stderr.write(`${name} (pid ${child.pid ?? '?'}) exited unexpectedly (code ${code ?? '-'}, signal ${signal ?? '-'}): ${output() || 'no output'}\n`);
  });
}

function killAllSync(): void {
  for (const { child, tempDirectory } of running.values()) {
    if (!hasExited(child)) child.kill('SIGKILL');
    rmSync(tempDirectory, { recursive: true, force: true });
  }
  running.clear();
}

export type StartupOutcome = 'ready' | 'exited' | 'timeout';

/**
 * Polls `probe` until it answers true, the child exits (or never spawned), or `timeoutMs`
 * passes. The child stays referenced meanwhile, so the event loop waits for it.
 */
export async function waitForStartup(
  child: ChildProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<StartupOutcome> {
  let spawnFailed = false;
  child.once('error', () => {
    spawnFailed = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnFailed || hasExited(child)) return 'exited';
    if (await probe()) return 'ready';
    await delay(25);
  }
  return 'timeout';
}
