/**
 * API keys: those given in KILN_API_KEYS (admin, rotated by editing the list) and those made at
 * run time (`kiln keys create`), kept in Redis as SHA-256 hashes so every API node knows them at once.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { generateApiKey, generateKeyId, hashApiKey } from './api-keys.js';
import { isScope, type Scope } from './scopes.js';

export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly scope: Scope;
  /** Unix milliseconds; 0 for keys from the configuration. */
  readonly createdAt: number;
  readonly source: 'config' | 'redis';
}

export interface ApiKeyStore {
  /** The new key is returned once, here; only its hash is kept. */
  create(name: string, scope: Scope): Promise<{ readonly key: string; readonly info: ApiKeyInfo }>;
  list(): Promise<ApiKeyInfo[]>;
  /** False when no run-time key has that id (configured keys are revoked by editing KILN_API_KEYS). */
  revoke(id: string): Promise<boolean>;
  /** The key's record, or undefined when it is unknown or revoked. */
  authenticate(key: string): Promise<ApiKeyInfo | undefined>;
}

export interface ApiKeyStoreOptions {
  /** Absent (an app without playback, in tests): only the configured keys exist. */
  readonly redis?: Redis;
  readonly keys: RedisKeys;
  /** KILN_API_KEYS: each has the admin scope. */
  readonly configured?: readonly string[];
  readonly now?: () => number;
}

function configuredKeys(keys: readonly string[]): { readonly hash: Buffer; readonly info: ApiKeyInfo }[] {
  return keys.map((key, index) => ({
    hash: Buffer.from(hashApiKey(key), 'hex'),
    info: { id: `config-${index + 1}`, name: 'KILN_API_KEYS', scope: 'admin', createdAt: 0, source: 'config' },
  }));
}

function infoFromFields(fields: Readonly<Record<string, string>>): ApiKeyInfo | undefined {
  const { id, name, scope, createdAt } = fields;
  if (id === undefined || name === undefined || !isScope(scope)) return undefined;
  return { id, name, scope, createdAt: Number(createdAt ?? 0), source: 'redis' };
}

export function createApiKeyStore(options: ApiKeyStoreOptions): ApiKeyStore {
  const { keys } = options;
  const redisOf = (): Redis => {
    if (options.redis === undefined) throw new Error('run-time API keys need Redis');
    return options.redis;
  };
  const now = options.now ?? Date.now;
  const configured = configuredKeys(options.configured ?? []);

  const fromConfig = (hash: string): ApiKeyInfo | undefined => {
    const presented = Buffer.from(hash, 'hex');
    // Every configured hash is compared, in constant time, so timing tells nothing of which matched.
    let found: ApiKeyInfo | undefined;
    for (const entry of configured) if (timingSafeEqual(entry.hash, presented)) found = entry.info;
    return found;
  };

  return {
    async create(name, scope) {
      const redis = redisOf();
      const key = generateApiKey();
      const hash = hashApiKey(key);
      const info: ApiKeyInfo = { id: generateKeyId(), name, scope, createdAt: now(), source: 'redis' };
      await redis.multi()
        .hset(keys.apiKey(hash), { id: info.id, name, scope, createdAt: String(info.createdAt) })
        .hset(keys.apiKeys(), info.id, hash)
        .exec();
      return { key, info };
    },
    async list() {
      const redis = redisOf();
      const hashes = Object.values(await redis.hgetall(keys.apiKeys()));
      const records = await Promise.all(hashes.map(async (hash) => infoFromFields(await redis.hgetall(keys.apiKey(hash)))));
      const stored = records.filter((info): info is ApiKeyInfo => info !== undefined).sort((a, b) => a.createdAt - b.createdAt);
      return [...configured.map((entry) => entry.info), ...stored];
    },
    async revoke(id) {
      const redis = redisOf();
      const hash = await redis.hget(keys.apiKeys(), id);
      if (hash === null) return false;
      await redis.multi().del(keys.apiKey(hash)).hdel(keys.apiKeys(), id).exec();
      return true;
    },
    async authenticate(key) {
      const hash = hashApiKey(key);
      const configuredKey = fromConfig(hash);
      if (configuredKey !== undefined || options.redis === undefined) return configuredKey;
      return infoFromFields(await options.redis.hgetall(keys.apiKey(hash)));
    },
  };
}
