/**
 * The segment cache in object storage (`segments/{video}/{rendition}/{n}.ts`) and its index in
 * Redis: per rendition a hash `n → {"bytes","created","accessed"}` and one sorted set of every
 * cached segment by last access (`{video}/{rendition}/{n}`), which retention (LRU, expiry) reads.
 * A segment of the pre-transcoded opening is `pinned`: retention keeps it while the video exists.
 */
import type { Redis } from 'ioredis';
import { parseSegmentCacheEntry, segmentAccessMember, segmentObjectKey, SEGMENT_CONTENT_TYPE, type ObjectStorage, type RedisKeys, type SegmentCacheEntry } from '@kiln/shared';

/** The shared index format (`@kiln/shared`), under the name the worker's modules use. */
export type CacheEntry = SegmentCacheEntry;

export class SegmentCache {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Segment numbers of a rendition that are in the cache. */
  async cachedIndexes(videoId: string, renditionId: string): Promise<Set<number>> {
    const fields = await this.redis.hkeys(this.keys.segmentIndex(videoId, renditionId));
    return new Set(fields.map(Number).filter(Number.isSafeInteger));
  }

  async has(videoId: string, renditionId: string, index: number): Promise<boolean> {
    return (await this.redis.hexists(this.keys.segmentIndex(videoId, renditionId), String(index))) === 1;
  }

  /** Uploads first, then indexes: the index never names an object that is not there. */
  async store(videoId: string, renditionId: string, index: number, bytes: Buffer, now = Date.now(), options: { pinned?: boolean } = {}): Promise<void> {
    await this.storage.put(segmentObjectKey(videoId, renditionId, index), bytes, { contentType: SEGMENT_CONTENT_TYPE });
    const entry: CacheEntry = { bytes: bytes.length, created: now, accessed: now, ...(options.pinned === true ? { pinned: true } : {}) };
    await this.redis
      .multi()
      .hset(this.keys.segmentIndex(videoId, renditionId), String(index), JSON.stringify(entry))
      .zadd(this.keys.segmentsByAccess(), now, segmentAccessMember(videoId, renditionId, index))
      .exec();
  }

  /** The cached bytes, or undefined when the index or the object is missing. */
  async read(videoId: string, renditionId: string, index: number): Promise<Buffer | undefined> {
    if (!(await this.has(videoId, renditionId, index))) return undefined;
    try {
      const bytes = await this.storage.getBytes(segmentObjectKey(videoId, renditionId, index));
      await this.touch(videoId, renditionId, index);
      return bytes;
    } catch {
      return undefined;
    }
  }

  async entry(videoId: string, renditionId: string, index: number): Promise<CacheEntry | undefined> {
    const raw = await this.redis.hget(this.keys.segmentIndex(videoId, renditionId), String(index));
    return parseSegmentCacheEntry(raw);
  }

  /** Pins a segment already cached (an on-demand run made it before the opening job got there). */
  async pin(videoId: string, renditionId: string, index: number): Promise<boolean> {
    const entry = await this.entry(videoId, renditionId, index);
    if (entry === undefined) return false;
    await this.redis.hset(this.keys.segmentIndex(videoId, renditionId), String(index), JSON.stringify({ ...entry, pinned: true }));
    return true;
  }

  async touch(videoId: string, renditionId: string, index: number, now = Date.now()): Promise<void> {
    const entry = await this.entry(videoId, renditionId, index);
    if (entry === undefined) return;
    await this.redis
      .multi()
      .hset(this.keys.segmentIndex(videoId, renditionId), String(index), JSON.stringify({ ...entry, accessed: now }))
      .zadd(this.keys.segmentsByAccess(), now, segmentAccessMember(videoId, renditionId, index))
      .exec();
  }
}
