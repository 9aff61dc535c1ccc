/**
 * Local scratch for jobs: one directory per job, named with the worker's pid, always removed when
 * the job ends. A worker killed outright leaves its directories; the next worker to start on the
 * same scratch removes those whose owner is dead.
 */
import { statfs } from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '@kiln/shared';

export class JobScratch {
  constructor(readonly directory: string) {}

  /** Runs `work` in a fresh directory and removes it afterwards, whatever happens. */
  async use<T>(work: (dir: string) => Promise<T>): Promise<T> {
    await mkdir(this.directory, { recursive: true });
    const dir = await mkdtemp(join(this.directory, `job-${process.pid}-`));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Bytes free on the scratch's filesystem (for the unprivileged). */
  async freeBytes(): Promise<number> {
    await mkdir(this.directory, { recursive: true });
    const stats = await statfs(this.directory);
    return stats.bavail * stats.bsize;
  }

  /** Removes what workers that died left behind; returns how many directories. */
  async removeLeftovers(): Promise<number> {
    let removed = 0;
    const entries = await readdir(this.directory).catch(() => [] as string[]);
    for (const name of entries) {
      const owner = Number(/^job-(\d+)-/.exec(name)?.[1]);
      if (!Number.isSafeInteger(owner) || owner === process.pid || isProcessAlive(owner)) continue;
      await rm(join(this.directory, name), { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }
}
