import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isKilnError, SharedErrors } from '../errors.js';
import { readAll, toReadable } from './body.js';
import { contentTypeForKey } from './content-type.js';
import { isMissingPathError, walkFiles } from './fs-walk.js';
import { assertValidKey, assertValidPrefix, RESERVED_TOP_SEGMENT } from './keys.js';
import { assertRangeShape, resolveRange } from './range.js';
import { deleteFailed, notFound, storageFailed } from './storage-errors.js';
import type { DeleteFailure } from './storage-errors.js';
import type { ByteRange, ListedObject, ObjectInfo, ObjectStorage, PutBody } from './types.js';

export interface FsStorageOptions {
  /** Directory that holds the objects; created on the first put. */
  readonly root: string;
}

/** Files deleted at once; more would only queue in libuv's thread pool. */
const DELETE_CONCURRENCY = 32;
/** A concurrent delete may prune the directory between our mkdir and rename; try again. */
const RENAME_ATTEMPTS = 3;

/**
 * Object storage in a local directory: key `a/b.ts` is file `<root>/a/b.ts`. The filesystem
 * keeps no content type, so `head` answers the one the key's extension implies.
 */
export function createFsStorage(options: FsStorageOptions): ObjectStorage {
  const root = path.resolve(options.root);
  const pathOf = (key: string): string => path.join(root, ...key.split('/'));

  const getRange = async (key: string, range?: ByteRange): Promise<Readable> => {
    assertValidKey(key);
    if (range !== undefined) assertRangeShape(range);
    const handle = await openObject(pathOf(key), key);
    try {
      const { size } = await handle.stat();
      const bytes = range === undefined ? undefined : resolveRange(range, size);
      return handle.createReadStream({ start: bytes?.start, end: bytes?.end });
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  return {
    put: (key, body) => putAtomically(root, pathOf, key, body),
    getRange,
    getBytes: async (key, range) => {
      const stream = await getRange(key, range);
      return readAll(stream).catch((error: unknown) => Promise.reject(readError(error, key, 'read')));
    },
    head: (key) => headFile(pathOf, key),
    list: (prefix) => listFiles(root, prefix),
    deleteMany: (keys) => deleteFiles(root, pathOf, keys),
    copy: (from, to) => copyAtomically(root, pathOf, from, to),
  };
}

/** Writes to a temp file, then renames it into place: readers never see half an object. */
async function putAtomically(root: string, pathOf: (key: string) => string, key: string, body: PutBody): Promise<void> {
  assertValidKey(key);
  // flush: fsync before close, so a crash cannot leave a renamed but empty file behind.
  await intoPlace(root, pathOf(key), key, (tempPath) => pipeline(toReadable(body), createWriteStream(tempPath, { flush: true })))
    .catch((error: unknown) => Promise.reject(isKilnError(error) ? error : storageFailed('filesystem', 'put', key, error)));
}

/** A copy (a reflink where the filesystem has them) under a temp name, renamed into place. */
async function copyAtomically(root: string, pathOf: (key: string) => string, from: string, to: string): Promise<void> {
  assertValidKey(from);
  assertValidKey(to);
  await intoPlace(root, pathOf(to), to, (tempPath) => copyFile(pathOf(from), tempPath, fsConstants.COPYFILE_FICLONE))
    .catch((error: unknown) => Promise.reject(readError(error, from, 'copy')));
}

/** `write` fills a temp file under the reserved top segment, which is then renamed to `targetPath`; a failure removes it. */
async function intoPlace(root: string, targetPath: string, key: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  const tempDirectory = path.join(root, RESERVED_TOP_SEGMENT);
  const tempPath = path.join(tempDirectory, `${randomUUID()}.part`);
  try {
    await mkdir(tempDirectory, { recursive: true });
    await write(tempPath);
    await renameIntoPlace(tempPath, targetPath, key);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

async function renameIntoPlace(tempPath: string, targetPath: string, key: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await mkdir(path.dirname(targetPath), { recursive: true });
      await rename(tempPath, targetPath);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') throw pathConflict(key, error);
      if (code !== 'ENOENT' || attempt >= RENAME_ATTEMPTS) throw error;
    }
  }
}

/** On a filesystem `a` cannot be an object while `a/b` is one (S3 allows it). */
function pathConflict(key: string, cause: unknown) {
  return SharedErrors.create('STORAGE_INVALID_KEY', 'the key clashes with a directory or file of another key', {
    details: { key },
    cause,
  });
}

async function openObject(filePath: string, key: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw readError(error, key, 'open');
  }
  // open() succeeds on a directory, which is no object.
  const isFile = await handle.stat().then((stats) => stats.isFile(), () => false);
  if (isFile) return handle;
  await handle.close();
  throw notFound(key);
}

async function* listFiles(root: string, prefix: string): AsyncGenerator<ListedObject> {
  assertValidPrefix(prefix);
  try {
    yield* walkFiles(root, prefix);
  } catch (error) {
    throw isKilnError(error) ? error : storageFailed('filesystem', 'list', prefix, error);
  }
}

async function headFile(pathOf: (key: string) => string, key: string): Promise<ObjectInfo | undefined> {
  assertValidKey(key);
  try {
    const stats = await stat(pathOf(key));
    if (!stats.isFile()) return undefined;
    return { size: stats.size, lastModified: stats.mtime, contentType: contentTypeForKey(key) };
  } catch (error) {
    if (isMissingPathError(error)) return undefined;
    throw readError(error, key, 'head');
  }
}

async function deleteFiles(root: string, pathOf: (key: string) => string, keys: readonly string[]): Promise<void> {
  keys.forEach(assertValidKey);
  const unique = [...new Set(keys)];
  const failures: DeleteFailure[] = [];
  for (let index = 0; index < unique.length; index += DELETE_CONCURRENCY) {
    const batch = unique.slice(index, index + DELETE_CONCURRENCY);
    await Promise.all(
      batch.map(async (key) => {
        try {
          await unlinkIfFile(pathOf(key));
          await pruneEmptyDirectories(root, path.dirname(pathOf(key)));
        } catch (error) {
          failures.push({ key, message: (error as Error).message });
        }
      }),
    );
  }
  if (failures.length > 0) throw deleteFailed(failures);
}

/** No file there (or a directory, which is no object) means nothing to delete, as on S3. */
async function unlinkIfFile(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!isMissingPathError(error) && code !== 'EISDIR' && code !== 'EPERM') throw error;
  }
}

/** Removes directories left empty, up to the root, so deleted prefixes do not pile up. */
async function pruneEmptyDirectories(root: string, directory: string): Promise<void> {
  for (let current = directory; current.startsWith(root + path.sep); current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty, already gone or busy: whoever is there keeps it.
    }
  }
}

/** Errors of reading calls: no file (or a directory) at the key means no object. */
function readError(error: unknown, key: string, operation: string) {
  if (isKilnError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (isMissingPathError(error) || code === 'EISDIR') return notFound(key);
  return storageFailed('filesystem', operation, key, error);
}
