import { readdir, readFile } from 'node:fs/promises';

export interface ProcessEntry {
  readonly pid: number;
  readonly parentPid: number;
  /** The command line, arguments joined by spaces (a process may rewrite it, as redis-server does). */
  readonly commandLine: string;
}

/** The parent pid in a /proc/<pid>/stat line; the name in parentheses may itself hold spaces. */
export function parseParentPid(statLine: string): number | undefined {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const parentPid = Number(fields[1]);
  return Number.isInteger(parentPid) ? parentPid : undefined;
}

/**
 * Living processes whose parent is `parentPid` (Linux /proc). For the checks at the end of a
 * suite: no redis-server, s3rver or ffmpeg of ours is left running.
 */
export async function listChildProcesses(parentPid = process.pid): Promise<ProcessEntry[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(pids.map((pid) => readProcess(pid)));
  return entries.filter((entry): entry is ProcessEntry => entry?.parentPid === parentPid);
}

async function readProcess(pid: number): Promise<ProcessEntry | undefined> {
  try {
    const [stat, commandLine] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    // A zombie (state Z) has exited; only its exit status is waiting to be collected.
    if (/\) Z /.test(stat)) return undefined;
    const parentPid = parseParentPid(stat);
    return parentPid === undefined ? undefined : { pid, parentPid, commandLine: commandLine.split('\0').join(' ').trim() };
  } catch {
    return undefined; // it exited while we looked
  }
}
