/**
 * `kiln keys create --name NAME --scope admin|upload|playback`, `kiln keys list`,
 * `kiln keys revoke ID`: run-time API keys, kept in Redis as hashes, so every API node honours
 * them at once. Redis comes from KILN_REDIS_URL, else from the `kiln up` running in KILN_DATA_DIR.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createApiKeyStore, isScope, SCOPES, type ApiKeyInfo, type ApiKeyStore } from '@kiln/api';
import { createRedisKeys, loadConfig, Settings } from '@kiln/shared';
import { findRunningInstance } from '../up/state.js';

const USAGE = `usage: kiln keys create --name NAME --scope ${SCOPES.join('|')}
       kiln keys list
       kiln keys revoke ID`;

/** The settings `kiln keys` shares with the API and `kiln up` (their defaults and checks included). */
const KEYS_SETTINGS = { dataDir: Settings.dataDir, redisPrefix: Settings.redisPrefix, apiKeys: Settings.apiKeys } as const;

async function redisUrl(env: NodeJS.ProcessEnv, dataDir: string): Promise<string | undefined> {
  if (env.KILN_REDIS_URL !== undefined && env.KILN_REDIS_URL !== '') return env.KILN_REDIS_URL;
  return (await findRunningInstance(resolve(dataDir)))?.redisUrl;
}

function describe(info: ApiKeyInfo): string {
  const created = info.createdAt === 0 ? 'from KILN_API_KEYS' : new Date(info.createdAt).toISOString();
  return `${info.id.padEnd(18)} ${info.scope.padEnd(8)} ${created.padEnd(24)} ${info.name}`;
}

async function create(store: ApiKeyStore, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, scope: { type: 'string' } } });
  if (values.name === undefined || values.name.trim() === '' || !isScope(values.scope)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { key, info } = await store.create(values.name.trim(), values.scope);
  process.stdout.write(`${key}\n`);
  process.stderr.write(`made ${info.id} (${info.scope}); the key above is shown only now: keep it.\n`);
  return 0;
}

async function run(store: ApiKeyStore, action: string | undefined, rest: string[]): Promise<number> {
  switch (action) {
    case 'create':
      return create(store, rest);
    case 'list':
      for (const info of await store.list()) process.stdout.write(`${describe(info)}\n`);
      return 0;
    case 'revoke': {
      const [id] = rest;
      if (id === undefined) break;
      const revoked = await store.revoke(id);
      process.stdout.write(revoked ? `revoked ${id}\n` : `no run-time key ${id} (keys from KILN_API_KEYS are removed there)\n`);
      return revoked ? 0 : 1;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

export async function keysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const config = loadConfig(KEYS_SETTINGS, process.env);
  const url = await redisUrl(process.env, config.dataDir);
  if (url === undefined) {
    process.stderr.write('kiln keys: set KILN_REDIS_URL, or run it beside a running `kiln up` (same KILN_DATA_DIR)\n');
    return 1;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const store = createApiKeyStore({ redis, keys: createRedisKeys(config.redisPrefix), configured: config.apiKeys ?? [] });
    return await run(store, action, rest);
  } finally {
    redis.disconnect();
  }
}
