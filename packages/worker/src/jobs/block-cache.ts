/**
 * Range reads of one object through a small in-memory cache of aligned blocks. Every run of a
 * head reads the same bytes (the moov, the first seconds of media), each through its own view
 * endpoint in 64 KiB requests; with the cache the first run fetches a few large blocks and the
 * others read memory. Bounded: the least recently used block goes first.
 */
import type { ByteRange, ObjectInfo, ObjectStorage } from '@kiln/shared';

export const BLOCK_BYTES = 1024 * 1024;
/** 48 MiB: the head (7 s) of a 50 Mb/s upload and its moov. */
export const CACHED_BLOCKS = 48;

export interface CachedObject {
  head(): Promise<ObjectInfo | undefined>;
  getBytes(range?: ByteRange): Promise<Buffer>;
}

export function cachedObject(storage: ObjectStorage, key: string, capacity = CACHED_BLOCKS): CachedObject {
  const blocks = new Map<number, Promise<Buffer>>();
  let info: Promise<ObjectInfo | undefined> | undefined;
  const head = () => (info ??= storage.head(key));
  const block = (index: number, size: number): Promise<Buffer> => {
    const cached = blocks.get(index);
    blocks.delete(index);
    const bytes = cached ?? storage.getBytes(key, { start: index * BLOCK_BYTES, end: Math.min(size, (index + 1) * BLOCK_BYTES) - 1 });
    // A failed read is not kept: the next one tries again.
    if (cached === undefined) bytes.catch(() => blocks.delete(index));
    blocks.set(index, bytes); // Map order is use order: the first key is the least recently used
    for (const oldest of blocks.keys()) {
      if (blocks.size <= capacity) break;
      blocks.delete(oldest);
    }
    return bytes;
  };
  return {
    head,
    async getBytes(range) {
      const size = (await head())?.size ?? 0;
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      // A range past the end: storage answers it with its own error.
      if (end < start) return storage.getBytes(key, range);
      const first = Math.floor(start / BLOCK_BYTES);
      const parts = await Promise.all(Array.from({ length: Math.floor(end / BLOCK_BYTES) - first + 1 }, (_, i) => block(first + i, size)));
      const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      return joined.subarray(start - first * BLOCK_BYTES, end - first * BLOCK_BYTES + 1);
    },
  };
}
