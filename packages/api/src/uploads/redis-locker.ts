/**
 * Locks for resumable uploads in Redis, so two API nodes never write one upload at once and no
 * sticky routing is needed. A lock is a key holding its holder's random token with a TTL the holder
 * renews while its request runs: a node that died loses its locks when the TTL runs out. A request
 * that finds the lock taken raises a release flag; the holder sees it at its next renewal and
 * cancels its request (a half-open connection would otherwise hold the upload until TCP gives up),
 * and the waiter takes over. The protocol's rules for this are @tus/server's; only the storage is ours.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import type { RedisKeys } from '@kiln/shared';
import { evalScript } from '../scheduling/eval-script.js';

export interface RedisLockerOptions {
  /** Lifetime of a lock that is not renewed (the holder renews it every third of this). */
  readonly ttlMs: number;
  /** How long a request waits for a lock before it is answered 423 (ERR_LOCK_TIMEOUT). */
  readonly acquireTimeoutMs: number;
  /** How often a waiting request tries again. */
  readonly retryMs: number;
}

const DEFAULTS: RedisLockerOptions = { ttlMs: 15_000, acquireTimeoutMs: 30_000, retryMs: 50 };

/** Takes the lock when it is free, and clears a release flag meant for the previous holder. */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then redis.call('DEL', KEYS[2]) return 1 end
return 0`;
/** -1: the lock is no longer ours; else 1 when someone asked for it, 0 when not. */
const RENEW = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('EXISTS', KEYS[2])`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

export function createRedisLocker(redis: Redis, keys: RedisKeys, options: Partial<RedisLockerOptions> = {}): Locker {
  const settings = { ...DEFAULTS, ...options };
  return { newLock: (uploadId) => new RedisLock(redis, [keys.resumableUploadLock(uploadId), keys.resumableUploadRelease(uploadId)], settings) };
}

class RedisLock implements Lock {
  private readonly token = randomBytes(16).toString('hex');
  private renewal: NodeJS.Timeout | undefined;
  private releaseRequested = false;

  constructor(
    private readonly redis: Redis,
    private readonly lockKeys: readonly [lock: string, release: string],
    private readonly options: RedisLockerOptions,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const deadline = Date.now() + this.options.acquireTimeoutMs;
    while (!(await this.tryAcquire())) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus answers its own error objects with their status
      if (signal.aborted || Date.now() >= deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
      await this.redis.set(this.lockKeys[1], '1', 'PX', this.options.ttlMs);
      await sleep(this.options.retryMs);
    }
    this.renewal = setInterval(() => void this.renew(requestRelease), Math.max(10, Math.floor(this.options.ttlMs / 3)));
    this.renewal.unref();
  }

  async unlock(): Promise<void> {
    this.stopRenewing();
    await evalScript(this.redis, RELEASE, [this.lockKeys[0]], [this.token]);
  }

  private async tryAcquire(): Promise<boolean> {
    return (await evalScript(this.redis, ACQUIRE, this.lockKeys, [this.token, String(this.options.ttlMs)])) === 1;
  }

  /**
   * Keeps the lock while the request drains (tus lets a cancelled request store what it has before
   * it unlocks); a request for the lock, or a lock we lost (Redis restarted, a long pause), cancels
   * our request once.
   */
  private async renew(requestRelease: RequestRelease): Promise<void> {
    const answer = await evalScript(this.redis, RENEW, this.lockKeys, [this.token, String(this.options.ttlMs)]).catch(() => 0);
    if (answer === -1) this.stopRenewing();
    if (answer !== 0 && !this.releaseRequested) {
      this.releaseRequested = true;
      await requestRelease();
    }
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}
