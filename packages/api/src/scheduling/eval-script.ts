import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Runs a Lua script by its SHA (sent once per Redis), loading it when Redis does not know it yet. */
export async function evalScript(redis: Redis, script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  const sha = createHash('sha1').update(script).digest('hex');
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
