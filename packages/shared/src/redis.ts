import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** BullMQ workers need `null` (block forever); request/response code wants a bounded retry. */
  readonly forQueues?: boolean;
  readonly name?: string;
}

/**
 * One way to connect to Redis. Connections fail fast instead of queueing commands forever
 * while Redis is down, so a health check answers 503 rather than hanging.
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const settings: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: options.forQueues ? null : 2,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
  };
  return new Redis(url, settings);
}

/** PING with a deadline: for health checks, which must answer even when Redis does not. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((answer) => answer === 'PONG', () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
