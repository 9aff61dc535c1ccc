/**
 * The cap on unfinished resumable uploads per API key: each creation takes a slot, finishing or
 * deleting the upload frees it, and a slot whose upload expired unfinished frees itself (it is
 * scored by that expiry). Slots live in Redis, so every API node counts the same ones.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { evalScript } from '../scheduling/eval-script.js';

/** Drops expired slots, then takes one unless the key holds `max` already: atomic, so two nodes cannot both take the last. */
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[5], 'PXAT', ARGV[2])
return 1
`;

export interface UploadSlots {
  /** Takes a slot for `uploadId` unless `owner` holds `max` unexpired ones; false when it does. */
  take(owner: string, uploadId: string): Promise<boolean>;
  /** Frees the slot of an upload that finished or was deleted; nothing when it held none. */
  release(uploadId: string): Promise<void>;
}

export interface UploadSlotOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly max: number;
  /** How long an unfinished upload lives: its slot frees itself then. */
  readonly expirationMs: number;
  readonly now: () => Date;
}

export function createUploadSlots({ redis, keys, max, expirationMs, now }: UploadSlotOptions): UploadSlots {
  return {
    async take(owner, uploadId) {
      const at = now().getTime();
      const args = [String(at), String(at + expirationMs), String(max), uploadId, owner];
      return (await evalScript(redis, TAKE_SLOT, [keys.uploadsInProgress(owner), keys.resumableUploadOwner(uploadId)], args)) === 1;
    },
    async release(uploadId) {
      const owner = await redis.get(keys.resumableUploadOwner(uploadId));
      if (owner === null) return;
      await redis.multi().zrem(keys.uploadsInProgress(owner), uploadId).del(keys.resumableUploadOwner(uploadId)).exec();
    },
  };
}

/**
 * The API key id of the request tus is handling: tus calls our hooks with its own request object,
 * so the route hands the key over through the async context it runs tus in.
 */
export const uploadOwner = new AsyncLocalStorage<string | undefined>();
