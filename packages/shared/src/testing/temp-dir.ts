import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A new private directory under the OS temp dir, e.g. `/tmp/kiln-redis-Ab12Cd`. */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `kiln-${label}-`));
}

export function removeTempDir(directory: string): Promise<void> {
  return rm(directory, { recursive: true, force: true });
}
