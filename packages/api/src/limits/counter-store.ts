/**
 * The rate limiter's counts in Redis, so every API node adds to the same ones. Fixed windows, as
 * @fastify/rate-limit's own Redis store counts (the first request of a window starts its TTL), but
 * at the key each limiter names through RedisKeys rather than one the plugin builds from the route.
 */
import type { Redis } from 'ioredis';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/** The `store` option of @fastify/rate-limit: a class over the app's Redis connection. */
export function redisCounterStore(redis: Redis): new () => FastifyRateLimitStore {
  return class RedisCounterStore implements FastifyRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      // One round trip, atomic: start the window if there is none, count, and say how long it has left.
      redis.multi().set(key, 0, 'PX', timeWindow, 'NX').incr(key).pttl(key).exec().then((replies) => {
        const failed = replies?.find(([error]) => error !== null)?.[0];
        if (replies === null || failed) callback(failed ?? new Error('rate limit count aborted'));
        else callback(null, { current: Number(replies[1][1]), ttl: Math.max(0, Number(replies[2][1])) });
      }, (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
