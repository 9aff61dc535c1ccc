/**
 * No ffmpeg outlives its worker. Each ffmpeg runs in its own process group (the shared runner) and
 * is killed with it when the worker exits; a pid file in the worker's scratch directory covers the
 * worker being killed outright: the next worker to start there kills the groups its dead owner left.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, type Logger } from '@kiln/shared';

interface PidRecord {
  readonly pid: number;
  /** The worker process that started it. */
  readonly owner: number;
  /** /proc/<pid>/stat field 22: tells a reused pid from ours. */
  readonly startTime: string;
}

async function procStat(pid: number): Promise<{ startTime: string; command: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { startTime: fields[19] ?? '', command };
  } catch {
    return undefined;
  }
}

export class ProcessRegistry {
  /** Writes and removals run one after another, so a quick exit never leaves its pid file behind. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly directory: string,
    private readonly log: Logger,
  ) {}

  private file(pid: number): string {
    return join(this.directory, `ffmpeg-${pid}.pid`);
  }

  private track(work: () => Promise<unknown>): void {
    this.queue = this.queue.then(work).then(
      () => undefined,
      (error: unknown) => this.log.warn({ err: error }, 'pid file bookkeeping failed'),
    );
  }

  register(pid: number): void {
    this.track(async () => {
      const stat = await procStat(pid);
      if (stat === undefined) return;
      const record: PidRecord = { pid, owner: process.pid, startTime: stat.startTime };
      await writeFile(this.file(pid), JSON.stringify(record));
    });
  }

  unregister(pid: number): void {
    this.track(() => rm(this.file(pid), { force: true }));
  }

  /** Waits for pid files being written or removed: after it, the directory is up to date. */
  settle(): Promise<void> {
    return this.queue;
  }

  /** At start: kills the process groups left by workers that died, and removes their pid files. */
  async killLeftovers(): Promise<number> {
    await mkdir(this.directory, { recursive: true });
    let killed = 0;
    for (const name of await readdir(this.directory)) {
      if (!/^ffmpeg-\d+\.pid$/.test(name)) continue;
      const record = JSON.parse(await readFile(join(this.directory, name), 'utf8').catch(() => '{}')) as Partial<PidRecord>;
      if (record.owner !== undefined && record.owner !== process.pid && isProcessAlive(record.owner)) continue;
      const stat = record.pid === undefined ? undefined : await procStat(record.pid);
      if (record.pid !== undefined && stat !== undefined && stat.startTime === record.startTime && stat.command.includes('ffmpeg')) {
        try {
          process.kill(-record.pid, 'SIGKILL');
          killed += 1;
        } catch {
          // already gone
        }
        this.log.warn({ pid: record.pid, owner: record.owner }, 'killed an ffmpeg left by a previous worker');
      }
      await rm(join(this.directory, name), { force: true });
    }
    return killed;
  }
}
