import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import { recordFromFields, recordToFields, type VideoRecord } from './record.js';

export interface VideoRepository {
  find(videoId: string): Promise<VideoRecord | undefined>;
  /** The record, or VIDEO_NOT_FOUND. */
  get(videoId: string): Promise<VideoRecord>;
  /** The record of a video that can be played, or VIDEO_NOT_FOUND / VIDEO_NOT_READY. */
  getPlayable(videoId: string): Promise<VideoRecord>;
  save(record: VideoRecord): Promise<void>;
}

/** Ids that are valid Redis key parts: anything else cannot name a video. */
const VIDEO_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function createVideoRepository(redis: Redis, keys: RedisKeys): VideoRepository {
  const find = async (videoId: string) => {
    if (!VIDEO_ID.test(videoId)) return undefined;
    return recordFromFields(await redis.hgetall(keys.video(videoId)));
  };
  const get = async (videoId: string) => {
    const record = await find(videoId);
    if (record === undefined) throw ApiErrors.create('VIDEO_NOT_FOUND', undefined, { details: { videoId } });
    return record;
  };
  return {
    find,
    get,
    async getPlayable(videoId) {
      const record = await get(videoId);
      if (record.state !== 'ready') throw ApiErrors.create('VIDEO_NOT_READY', undefined, { details: { videoId, state: record.state } });
      return record;
    },
    async save(record) {
      const key = keys.video(record.id);
      await redis.multi().del(key).hset(key, recordToFields(record)).exec();
    },
  };
}
