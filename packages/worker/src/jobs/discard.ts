/**
 * Removing what an ingest made for a video that will not become `ready` as it was made: opening
 * segments made from the upload in place before the verdict (their index entries first, so
 * nothing points at an object being deleted, then the objects), and for a failed ingest the
 * upload and the source copied from it. Found by listing the video's segment objects: the work
 * is the video's size, not the cache's.
 */
import type { Redis } from 'ioredis';
import {
  parseSegmentObjectKey, segmentAccessMember, segmentsPrefix, sourceObjectKey, uploadObjectKey,
  type ObjectStorage, type RedisKeys,
} from '@kiln/shared';

export interface DiscardDependencies {
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
}

export async function discardSegments(videoId: string, deps: DiscardDependencies): Promise<void> {
  const objects: string[] = [];
  const byRendition = new Map<string, number[]>();
  for await (const object of deps.storage.list(segmentsPrefix(videoId))) {
    objects.push(object.key);
    const segment = parseSegmentObjectKey(videoId, object.key);
    if (segment !== undefined) byRendition.set(segment.renditionId, [...(byRendition.get(segment.renditionId) ?? []), segment.index]);
  }
  const batch = deps.redis.multi();
  for (const [renditionId, indexes] of byRendition) {
    batch.del(deps.keys.segmentIndex(videoId, renditionId));
    batch.zrem(deps.keys.segmentsByAccess(), ...indexes.map((index) => segmentAccessMember(videoId, renditionId, index)));
  }
  await batch.exec();
  await deps.storage.deleteMany(objects);
}

/** A failed ingest keeps no bytes of the upload: neither it, nor a source copied from it, nor an opening. */
export async function discardIngest(videoId: string, deps: DiscardDependencies): Promise<void> {
  await discardSegments(videoId, deps);
  await deps.storage.deleteMany([uploadObjectKey(videoId), sourceObjectKey(videoId)]);
}
