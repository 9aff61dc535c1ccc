import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isProcessAlive } from '@kiln/shared';
import { join } from 'node:path';

/** What a running `kiln up` records in its data directory, so a second run can find it. */
export interface UpState {
  readonly pid: number;
  readonly url: string;
  /** The private Redis, so `kiln keys` beside a running `kiln up` finds it. */
  readonly redisUrl?: string;
  readonly startedAt: string;
  readonly children: readonly { readonly name: string; readonly pid: number }[];
}

export const stateFile = (dataDir: string): string => join(dataDir, 'run', 'up.json');

/** The command line of a live process (Linux), to tell our redis-server from a reused pid. */
export async function commandLineOf(pid: number): Promise<string | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return raw?.split('\0').join(' ').trim();
}

export async function readUpState(dataDir: string): Promise<UpState | undefined> {
  const text = await readFile(stateFile(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as UpState;
  } catch {
    return undefined;
  }
}

/** The instance recorded in `dataDir` if its supervisor is still alive. */
export async function findRunningInstance(dataDir: string): Promise<UpState | undefined> {
  const state = await readUpState(dataDir);
  if (state === undefined || state.pid === process.pid || !isProcessAlive(state.pid)) return undefined;
  return (await commandLineOf(state.pid))?.includes('kiln') ? state : undefined;
}

export async function writeUpState(dataDir: string, state: UpState): Promise<void> {
  const file = stateFile(dataDir);
  await mkdir(join(dataDir, 'run'), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function removeUpState(dataDir: string): Promise<void> {
  await rm(stateFile(dataDir), { force: true });
}

/**
 * Children of a previous run whose supervisor died without stopping them (SIGKILL, power cut):
 * killed before starting anew, so nothing old keeps ports or writes to the data directory.
 */
export async function killLeftovers(dataDir: string): Promise<string[]> {
  const state = await readUpState(dataDir);
  if (state === undefined) return [];
  const killed: string[] = [];
  for (const child of state.children) {
    const commandLine = await commandLineOf(child.pid);
    if (commandLine !== undefined && /kiln|redis-server/.test(commandLine)) {
      killGroup(child.pid);
      killed.push(`${child.name} (${child.pid})`);
    }
  }
  await removeUpState(dataDir);
  return killed;
}

export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone, or not a group leader: the other form covers it
    }
  }
}
