/**
 * Range reads of one object through a small in-memory cache of aligned blocks. Every run of a
 * pinned opening reads the same bytes (the moov, the first seconds of media), each through its own view
 * endpoint in 64 KiB requests; with the cache the first run fetches a few large blocks and the
 * others read memory. Bounded: the least recently used block goes first.
 */
import { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { ByteRange, ObjectInfo, ObjectStorage } from '@kiln/shared';

export const BLOCK_BYTES = 1024 * 1024;
/** 48 MiB: the opening (7 s) of a 50 Mb/s upload and its moov. */
export const CACHED_BLOCKS = 48;

export interface CachedObject {
  head(): Promise<ObjectInfo | undefined>;
  getBytes(range?: ByteRange): Promise<Buffer>;
  /** The same bytes as a stream, a block at a time as the consumer reads: a stream too stays in the cache. */
  getRange(range?: ByteRange): Promise<Readable>;
}

export function cachedObject(storage: ObjectStorage, key: string, capacity = CACHED_BLOCKS): CachedObject {
  const blocks = new LRUCache<number, Promise<Buffer>>({ max: capacity });
  let info: Promise<ObjectInfo | undefined> | undefined;
  const head = () => (info ??= storage.head(key));
  const block = (index: number, size: number): Promise<Buffer> => {
    const cached = blocks.get(index);
    if (cached !== undefined) return cached;
    const bytes = storage.getBytes(key, { start: index * BLOCK_BYTES, end: Math.min(size, (index + 1) * BLOCK_BYTES) - 1 });
    // A failed read is not kept: the next one tries again.
    bytes.catch(() => blocks.delete(index));
    blocks.set(index, bytes);
    return bytes;
  };
  /** [start, end] inside the object and its blocks; undefined for a range past the end (storage answers it with its own error). */
  const span = async (range?: ByteRange): Promise<Span | undefined> => {
    const size = (await head())?.size ?? 0;
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    return end < start ? undefined : { size, start, end, first: Math.floor(start / BLOCK_BYTES), last: Math.floor(end / BLOCK_BYTES) };
  };
  return {
    head,
    async getBytes(range) {
      const at = await span(range);
      if (at === undefined) return storage.getBytes(key, range);
      const parts = await Promise.all(Array.from({ length: at.last - at.first + 1 }, (_, i) => block(at.first + i, at.size)));
      const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      return joined.subarray(at.start - at.first * BLOCK_BYTES, at.end - at.first * BLOCK_BYTES + 1);
    },
    async getRange(range) {
      const at = await span(range);
      return at === undefined ? storage.getRange(key, range) : Readable.from(slices(at, block), { objectMode: false });
    },
  };
}

interface Span {
  readonly size: number;
  /** Bytes [start, end] of the object, both inclusive, in blocks first…last. */
  readonly start: number;
  readonly end: number;
  readonly first: number;
  readonly last: number;
}

/** The span's bytes block by block, each block fetched only when the consumer asks for it. */
async function* slices(at: Span, block: (index: number, size: number) => Promise<Buffer>): AsyncGenerator<Buffer> {
  for (let index = at.first; index <= at.last; index += 1) {
    const bytes = await block(index, at.size);
    const from = index === at.first ? at.start - index * BLOCK_BYTES : 0;
    const to = index === at.last ? at.end - index * BLOCK_BYTES + 1 : bytes.length;
    yield bytes.subarray(from, to);
  }
}
