import type { Redis } from 'ioredis';
import { createVideoStore, type RedisKeys, type VideoRecord } from '@kiln/shared';
import { ApiErrors } from '../errors.js';

export interface VideoRepository {
  find(videoId: string): Promise<VideoRecord | undefined>;
  /** The record, or VIDEO_NOT_FOUND. */
  get(videoId: string): Promise<VideoRecord>;
  /** The record of a video that can be played, or VIDEO_NOT_FOUND / VIDEO_NOT_READY. */
  getPlayable(videoId: string): Promise<VideoRecord>;
  save(record: VideoRecord, options?: { ttlSeconds?: number }): Promise<void>;
  remove(videoId: string): Promise<void>;
}

/** The shared record store (packages/shared/src/videos) with the API's errors. */
export function createVideoRepository(redis: Redis, keys: RedisKeys): VideoRepository {
  const store = createVideoStore(redis, keys);
  const get = async (videoId: string) => {
    const record = await store.find(videoId);
    if (record === undefined) throw ApiErrors.create('VIDEO_NOT_FOUND', undefined, { details: { videoId } });
    return record;
  };
  return {
    find: (videoId) => store.find(videoId),
    get,
    async getPlayable(videoId) {
      const record = await get(videoId);
      if (record.state !== 'ready') throw ApiErrors.create('VIDEO_NOT_READY', undefined, { details: { videoId, state: record.state } });
      return record;
    },
    save: (record, options) => store.save(record, options),
    remove: (videoId) => store.remove(videoId),
  };
}
