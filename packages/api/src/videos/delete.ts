/**
 * Deleting a video: its cache index and access entries first (so nothing points at an object
 * being deleted), then its objects (upload, source, segments listed by prefix) in batches, then
 * its facts, and its record last. The record going last makes a failure halfway retryable: the
 * video is still found, and a second delete finds and finishes what is left.
 */
import type { Redis } from 'ioredis';
import {
  segmentAccessPattern, segmentsPrefix, sourceObjectKey, uploadObjectKey, type ObjectStorage, type RedisKeys,
} from '@kiln/shared';

export interface VideoDeletion {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
}

/** Keys and objects handled per round trip. */
const BATCH = 500;

export async function deleteVideoData(deps: VideoDeletion, videoId: string): Promise<void> {
  await deleteCacheIndex(deps, videoId);
  await deleteObjects(deps, videoId);
  await deps.redis.del(deps.keys.sourceFacts(videoId));
  await deps.redis.del(deps.keys.video(videoId));
}

async function deleteCacheIndex({ redis, keys }: VideoDeletion, videoId: string): Promise<void> {
  const members = redis.zscanStream(keys.segmentsByAccess(), { match: segmentAccessPattern(videoId), count: BATCH });
  for await (const chunk of members as AsyncIterable<string[]>) {
    // ZSCAN answers member, score, member, score…
    const names = chunk.filter((_, i) => i % 2 === 0);
    if (names.length > 0) await redis.zrem(keys.segmentsByAccess(), ...names);
  }
  const indexes = redis.scanStream({ match: keys.segmentIndexPattern(videoId), count: BATCH });
  for await (const found of indexes as AsyncIterable<string[]>) {
    if (found.length > 0) await redis.del(...found);
  }
}

async function deleteObjects({ storage }: VideoDeletion, videoId: string): Promise<void> {
  await storage.deleteMany([uploadObjectKey(videoId), sourceObjectKey(videoId)]);
  let batch: string[] = [];
  for await (const object of storage.list(segmentsPrefix(videoId))) {
    batch.push(object.key);
    if (batch.length >= BATCH) {
      await storage.deleteMany(batch);
      batch = [];
    }
  }
  await storage.deleteMany(batch);
}
