import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RESERVED_TOP_SEGMENT } from './keys.js';
import type { ListedObject } from './types.js';

interface Candidate {
  readonly entry: Dirent;
  /** The entry's key; a directory's ends with `/`, which sorts it where S3 would put its keys. */
  readonly key: string;
}

/** S3 lists keys in the order of their UTF-8 bytes; JavaScript compares UTF-16 units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Every file under `root` whose key starts with `prefix`, in S3's key order. Starts at the
 * deepest directory the prefix names and enters only directories that can hold a match.
 */
export async function* walkFiles(root: string, prefix: string): AsyncGenerator<ListedObject> {
  const startKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  yield* walkDirectory(root, startKey, prefix);
}

async function* walkDirectory(root: string, directoryKey: string, prefix: string): AsyncGenerator<ListedObject> {
  const directoryPath = path.join(root, directoryKey);
  for (const { entry, key } of await sortedCandidates(directoryPath, directoryKey, prefix)) {
    if (entry.isDirectory()) {
      yield* walkDirectory(root, key, prefix);
      continue;
    }
    const stats = await statIfPresent(path.join(directoryPath, entry.name));
    if (stats?.isFile()) yield { key, size: stats.size, lastModified: stats.mtime };
  }
}

async function sortedCandidates(directoryPath: string, directoryKey: string, prefix: string): Promise<Candidate[]> {
  const entries = await readdirIfPresent(directoryPath);
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    if (directoryKey === '' && entry.name === RESERVED_TOP_SEGMENT) continue;
    if (entry.isFile() && `${directoryKey}${entry.name}`.startsWith(prefix)) {
      candidates.push({ entry, key: `${directoryKey}${entry.name}` });
    } else if (entry.isDirectory()) {
      const key = `${directoryKey}${entry.name}/`;
      if (key.startsWith(prefix) || prefix.startsWith(key)) candidates.push({ entry, key });
    }
  }
  return candidates.sort((a, b) => compareKeys(a.key, b.key));
}

/** A directory removed by a concurrent delete (or never made) simply holds no keys. */
async function readdirIfPresent(directoryPath: string): Promise<Dirent[]> {
  try {
    return await readdir(directoryPath, { withFileTypes: true });
  } catch (error) {
    if (isMissingPathError(error)) return [];
    throw error;
  }
}

async function statIfPresent(filePath: string) {
  try {
    return await stat(filePath);
  } catch (error) {
    if (isMissingPathError(error)) return undefined;
    throw error;
  }
}

/** ENOENT, or ENOTDIR when a path component is a file: either way nothing is there. */
export function isMissingPathError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
