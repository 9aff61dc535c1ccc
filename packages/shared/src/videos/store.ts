/**
 * Reads and writes video records in Redis. The API wraps it with its HTTP errors; the ingest job
 * uses it to move a record through its states.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { isVideoId } from './keys.js';
import { recordFromFields, recordToFields, type VideoRecord } from './record.js';

export interface SaveOptions {
  /** The record expires unless saved again in time (an `uploading` record whose upload never ends). */
  readonly ttlSeconds?: number;
}

export interface VideoStore {
  /** The record, or undefined for an unknown or malformed id. */
  find(videoId: string): Promise<VideoRecord | undefined>;
  /** Replaces the whole record (and clears any expiry unless `ttlSeconds`). */
  save(record: VideoRecord, options?: SaveOptions): Promise<void>;
  /** Changes some fields of an existing record; false when there is none. */
  update(videoId: string, change: (record: VideoRecord) => VideoRecord): Promise<boolean>;
  remove(videoId: string): Promise<void>;
}

export function createVideoStore(redis: Redis, keys: RedisKeys): VideoStore {
  const find = async (videoId: string) => {
    if (!isVideoId(videoId)) return undefined;
    return recordFromFields(await redis.hgetall(keys.video(videoId)));
  };
  const save = async (record: VideoRecord, options: SaveOptions = {}) => {
    const key = keys.video(record.id);
    const batch = redis.multi().del(key).hset(key, recordToFields(record));
    if (options.ttlSeconds !== undefined) batch.expire(key, options.ttlSeconds);
    await batch.exec();
  };
  return {
    find,
    save,
    async update(videoId, change) {
      const record = await find(videoId);
      if (record === undefined) return false;
      await save(change(record));
      return true;
    },
    async remove(videoId) {
      if (isVideoId(videoId)) await redis.del(keys.video(videoId));
    },
  };
}
