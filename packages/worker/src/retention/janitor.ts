/**
 * The retention job's I/O: reads the cache index (pages of the access sorted set), lets the pure
 * policy choose, then deletes in batches. Order per batch: index entries first, objects second.
 * A reader never finds an entry whose object is gone, because the entry goes first. The same
 * atomic script records the object keys in `RedisKeys.retentionPending()`, so a crash between
 * the two steps only delays the object deletes until the next run, which drains that set first.
 * The script deletes an entry only if it is unchanged since it was read: a segment touched or
 * pinned in the meantime stays.
 */
import type { Redis } from 'ioredis';
import { isVideoId, segmentAccessMember, segmentObjectKey, type Logger, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import type { CacheEntry } from '../segments/cache.js';
import { chooseEvictions, type IndexedSegment } from './policy.js';

export interface JanitorDependencies {
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly log: Logger;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  /** Index entries read, and segments deleted, per round trip. */
  readonly batchSize?: number;
}

export interface RetentionReport {
  readonly indexed: number;
  readonly expired: number;
  readonly overBudget: number;
  /** Evictions skipped because the entry changed (touched, pinned) after it was read. */
  readonly changed: number;
  /** Access entries without an index entry, dropped. */
  readonly stale: number;
}

interface ReadSegment extends IndexedSegment {
  /** The index entry as read: the delete script compares it before deleting. */
  readonly raw: string;
}

const DEFAULT_BATCH = 500;

// KEYS: access set, pending set, then one index hash per segment; ARGV: field, expected value, member, object key.
const REMOVE_UNCHANGED = `
local removed = {}
for i = 3, #KEYS do
  local a = (i - 3) * 4
  if redis.call('HGET', KEYS[i], ARGV[a + 1]) == ARGV[a + 2] then
    redis.call('HDEL', KEYS[i], ARGV[a + 1])
    redis.call('ZREM', KEYS[1], ARGV[a + 3])
    redis.call('SADD', KEYS[2], ARGV[a + 4])
    removed[#removed + 1] = ARGV[a + 4]
  end
end
return removed`;

/** One pass of retention at `now` (epoch ms; tests pass a fake clock). */
export async function runRetention(deps: JanitorDependencies, now: number, signal?: AbortSignal): Promise<RetentionReport> {
  await drainPending(deps);
  const { segments, stale } = await readIndex(deps);
  const evictions = chooseEvictions(segments, { now, maxAgeMs: deps.maxAgeMs, maxBytes: deps.maxBytes });
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  let removed = 0;
  for (let start = 0; start < evictions.length; start += batchSize) {
    signal?.throwIfAborted();
    removed += await removeBatch(deps, evictions.slice(start, start + batchSize).map((eviction) => eviction.segment));
  }
  const expired = evictions.filter((eviction) => eviction.reason === 'expired').length;
  const report = { indexed: segments.length, expired, overBudget: evictions.length - expired, changed: evictions.length - removed, stale };
  deps.log.info(report, 'retention pass done');
  return report;
}

/** Deletes the objects a previous pass unindexed but did not get to delete. */
async function drainPending(deps: JanitorDependencies): Promise<void> {
  const key = deps.keys.retentionPending();
  for (;;) {
    const objects = await deps.redis.srandmember(key, deps.batchSize ?? DEFAULT_BATCH);
    if (objects.length === 0) return;
    await deps.storage.deleteMany(objects);
    await deps.redis.srem(key, ...objects);
  }
}

async function removeBatch(deps: JanitorDependencies, batch: readonly ReadSegment[]): Promise<number> {
  const { keys } = deps;
  const hashKeys = batch.map((segment) => keys.segmentIndex(segment.videoId, segment.renditionId));
  const args = batch.flatMap((segment) => [
    String(segment.index), segment.raw, segmentAccessMember(segment.videoId, segment.renditionId, segment.index), segmentObjectKey(segment.videoId, segment.renditionId, segment.index),
  ]);
  const removed = (await deps.redis.eval(REMOVE_UNCHANGED, 2 + hashKeys.length, keys.segmentsByAccess(), keys.retentionPending(), ...hashKeys, ...args)) as string[];
  if (removed.length === 0) return 0;
  await deps.storage.deleteMany(removed);
  await deps.redis.srem(keys.retentionPending(), ...removed);
  return removed.length;
}

interface IndexRead {
  readonly segments: ReadSegment[];
  readonly stale: number;
}

/** Every index entry, read page by page through the access set. */
async function readIndex(deps: JanitorDependencies): Promise<IndexRead> {
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const segments: ReadSegment[] = [];
  let stale = 0;
  for (let start = 0; ; start += batchSize) {
    const members = await deps.redis.zrange(deps.keys.segmentsByAccess(), String(start), String(start + batchSize - 1));
    if (members.length === 0) break;
    const page = await readPage(deps, members);
    segments.push(...page.segments);
    stale += page.staleMembers.length;
    if (page.staleMembers.length > 0) {
      await deps.redis.zrem(deps.keys.segmentsByAccess(), ...page.staleMembers);
      start -= page.staleMembers.length;
    }
  }
  return { segments, stale };
}

interface SegmentAddress {
  readonly videoId: string;
  readonly renditionId: string;
  readonly index: number;
}

/** The address in an access member, or undefined when it is not one (ids follow the Redis key-part rule). */
export function parseAccessMember(member: string): SegmentAddress | undefined {
  const [videoId, renditionId, index, ...rest] = member.split('/');
  if (videoId === undefined || renditionId === undefined || index === undefined || rest.length > 0) return undefined;
  if (!isVideoId(videoId) || !isVideoId(renditionId)) return undefined;
  const number = Number(index);
  return /^\d+$/.test(index) && Number.isSafeInteger(number) ? { videoId, renditionId, index: number } : undefined;
}

async function readPage(deps: JanitorDependencies, members: readonly string[]): Promise<{ segments: ReadSegment[]; staleMembers: string[] }> {
  const { redis, keys } = deps;
  const addresses = members.map(parseAccessMember);
  const reads = redis.pipeline();
  for (const address of addresses) {
    if (address !== undefined) reads.hget(keys.segmentIndex(address.videoId, address.renditionId), String(address.index));
  }
  const raws = ((await reads.exec()) ?? []).map(([error, value]) => (error === null && typeof value === 'string' ? value : undefined));
  const videos = await existingVideos(deps, addresses.flatMap((address) => (address === undefined ? [] : [address.videoId])));
  const segments: ReadSegment[] = [];
  const staleMembers: string[] = [];
  let read = 0;
  members.forEach((member, i) => {
    const address = addresses[i];
    const raw = address === undefined ? undefined : raws[read++];
    if (address === undefined || raw === undefined) staleMembers.push(member);
    else segments.push(fromEntry(address, raw, videos.has(address.videoId)));
  });
  return { segments, staleMembers };
}

function fromEntry(address: SegmentAddress, raw: string, videoExists: boolean): ReadSegment {
  const entry = JSON.parse(raw) as CacheEntry;
  return { ...address, bytes: entry.bytes, accessed: entry.accessed, pinned: entry.pinned === true, videoExists, raw };
}

async function existingVideos(deps: JanitorDependencies, videoIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(videoIds)];
  const checks = deps.redis.pipeline();
  for (const videoId of unique) checks.exists(deps.keys.video(videoId));
  const results = (await checks.exec()) ?? [];
  return new Set(unique.filter((_, i) => results[i]?.[1] === 1));
}
