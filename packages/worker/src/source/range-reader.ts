import { open, type FileHandle } from 'node:fs/promises';
import type { ObjectStorage } from '@kiln/shared';
import { SourceErrors } from './errors.js';

/** Random access to a source's bytes: the only I/O the fast-start view needs. */
export interface RangeReader {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (the caller keeps the range inside `size`). */
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * Optional: fill all of `target` with the bytes from `offset`. A local file reads straight into
   * the caller's buffer, so a long copy reuses a few buffers instead of allocating one per read.
   */
  readInto?(offset: number, target: Buffer): Promise<void>;
  /**
   * Optional: exactly `length` bytes from `offset` as they arrive, in one request where the source
   * allows; the consumer's pace is the reader's (it stops when the consumer does).
   */
  stream?(offset: number, length: number): AsyncIterable<Buffer>;
}

export interface ClosableRangeReader extends RangeReader {
  close(): Promise<void>;
}

/** How many reads and bytes went through a reader: what the tests and the bench report. */
export interface ReadStats {
  reads: number;
  bytes: number;
}

export interface CountingRangeReader extends RangeReader {
  readonly stats: ReadStats;
}

export function countingReader(inner: RangeReader): CountingRangeReader {
  const stats: ReadStats = { reads: 0, bytes: 0 };
  const counted: CountingRangeReader = {
    size: inner.size,
    stats,
    read: async (offset, length) => {
      stats.reads++;
      const bytes = await inner.read(offset, length);
      stats.bytes += bytes.length;
      return bytes;
    },
  };
  const readInto = inner.readInto?.bind(inner);
  const stream = inner.stream?.bind(inner);
  return {
    ...counted,
    ...(readInto === undefined ? {} : {
      readInto: async (offset: number, target: Buffer) => {
        stats.reads++;
        await readInto(offset, target);
        stats.bytes += target.length;
      },
    }),
    ...(stream === undefined ? {} : {
      stream: async function* (offset: number, length: number) {
        stats.reads++;
        for await (const chunk of stream(offset, length)) {
          stats.bytes += chunk.length;
          yield chunk;
        }
      },
    }),
  };
}

function checkedLength(bytes: Buffer, offset: number, length: number): Buffer {
  if (bytes.length === length) return bytes;
  throw SourceErrors.create('SOURCE_READ_FAILED', `asked for ${length} bytes at ${offset}, got ${bytes.length}`, {
    details: { offset, length, got: bytes.length },
  });
}

/** Ranged GETs against object storage; `size` comes from one HEAD. */
export async function storageRangeReader(storage: ObjectStorage, key: string): Promise<RangeReader> {
  const info = await storage.head(key);
  if (info === undefined) throw SourceErrors.create('SOURCE_READ_FAILED', `no object at ${key}`, { details: { key } });
  return objectRangeReader(storage, key, info.size);
}

/** Ranged GETs of an object whose size the caller knows (from its own HEAD); long reads are one streamed GET. */
export function objectRangeReader(storage: ObjectStorage, key: string, size: number): RangeReader {
  return {
    size,
    read: async (offset, length) => {
      if (length === 0) return Buffer.alloc(0);
      const bytes = await storage.getBytes(key, { start: offset, end: offset + length - 1 });
      return checkedLength(bytes, offset, length);
    },
    stream: (offset, length) => streamRange(storage, key, offset, length),
  };
}

/**
 * A long ranged GET may be cut (a server's idle timeout while ffmpeg is paused, a reset): it goes
 * on from where it stopped. Only failures in a row count, so a long run may be cut many times.
 */
export const STREAM_RESUMES = 3;

async function* streamRange(storage: ObjectStorage, key: string, offset: number, length: number): AsyncGenerator<Buffer> {
  let delivered = 0;
  let failuresInARow = 0;
  while (delivered < length) {
    const before = delivered;
    try {
      const body = await storage.getRange(key, { start: offset + delivered, end: offset + length - 1 });
      for await (const chunk of body as AsyncIterable<Buffer>) {
        delivered += chunk.length;
        yield chunk;
      }
      // A response that ends short without an error is a cut too.
      if (delivered < length) throw new Error(`the response ended after ${delivered - before} bytes`);
    } catch (error) {
      failuresInARow = delivered > before ? 1 : failuresInARow + 1;
      if (failuresInARow > STREAM_RESUMES) {
        throw SourceErrors.create('SOURCE_READ_FAILED', `reading ${length} bytes of ${key} at ${offset} failed ${failuresInARow} times in a row`, {
          details: { key, offset, length, delivered }, cause: error,
        });
      }
    }
  }
}

/** A local file, read with positioned reads (no shared file position, so reads may overlap). */
export async function fileRangeReader(path: string): Promise<ClosableRangeReader> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const readInto = (offset: number, target: Buffer) => readFully(handle, offset, target);
    return {
      size,
      read: async (offset, length) => {
        const target = Buffer.allocUnsafe(length);
        await readInto(offset, target);
        return target;
      },
      readInto,
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readFully(handle: FileHandle, offset: number, target: Buffer): Promise<void> {
  let filled = 0;
  while (filled < target.length) {
    const { bytesRead } = await handle.read(target, filled, target.length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  checkedLength(target.subarray(0, filled), offset, target.length);
}

/** Bytes already in memory: for tests and for moov buffers. */
export function bufferRangeReader(bytes: Buffer): RangeReader {
  return { size: bytes.length, read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)) };
}
