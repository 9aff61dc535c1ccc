import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createLogger, createRedisKeys, loadUpConfig, type Logger, type UpConfig } from '@kiln/shared';
import { findFreePort, isPortFree } from '@kiln/shared';
import { startPrivateRedis } from '../up/redis.js';
import { findRunningInstance, killLeftovers, removeUpState, writeUpState } from '../up/state.js';
import { Supervisor } from '../up/supervisor.js';
import { generateApiKey } from '@kiln/api';

const KILN_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/kiln.js');

/**
 * `kiln up`: Kiln on one machine. A private Redis, local-disk object storage, the API, an
 * on-demand worker and a pre-transcode worker, all stopped together on Ctrl-C. Running it again
 * while it runs only points at the running instance.
 */
export async function upCommand(): Promise<number> {
  const config = loadUpConfig(process.env);
  const log = createLogger({ name: 'up', level: config.logLevel });
  const dataDir = resolve(config.dataDir);
  const running = await findRunningInstance(dataDir);
  if (running !== undefined) {
    process.stdout.write(`Kiln is already running (pid ${running.pid}) at ${running.url}\n`);
    return 0;
  }
  const leftovers = await killLeftovers(dataDir);
  if (leftovers.length > 0) log.warn({ leftovers }, 'stopped processes left by a previous run that did not stop cleanly');
  const apiPort = await chooseApiPort(config);
  const supervisor = new Supervisor(log);
  const stopRequested = waitForStopSignal();
  try {
    const { url, redisUrl, apiKey } = await startEverything(supervisor, config, dataDir, apiPort, log);
    const children = supervisor.list().map(({ name, pid }) => ({ name, pid }));
    await writeUpState(dataDir, { pid: process.pid, url, redisUrl, startedAt: new Date().toISOString(), children });
    process.stdout.write(`\nKiln is up: ${url}  (health: ${url}/health)\n${apiKey}\nPress Ctrl-C to stop.\n\n`);
    const outcome = await Promise.race([stopRequested.then(() => 'signal' as const), supervisor.firstUnexpectedExit()]);
    return outcome === 'signal' ? 0 : 1;
  } catch (error) {
    log.error({ err: error }, 'kiln up failed');
    return 1;
  } finally {
    await supervisor.stopAll(config.shutdownGrace);
    await removeUpState(dataDir);
    process.stdout.write('Kiln stopped.\n');
  }
}

async function chooseApiPort(config: UpConfig): Promise<number> {
  if (config.apiPort === 0) return findFreePort(config.apiHost);
  if (!(await isPortFree(config.apiPort, config.apiHost))) {
    throw new Error(`port ${config.apiPort} on ${config.apiHost} is in use: stop what uses it or set KILN_API_PORT`);
  }
  return config.apiPort;
}

interface Started {
  readonly url: string;
  readonly redisUrl: string;
  /** The line that tells a person which API key to use. */
  readonly apiKey: string;
}

async function startEverything(supervisor: Supervisor, config: UpConfig, dataDir: string, apiPort: number, log: Logger): Promise<Started> {
  const redis = await startPrivateRedis(supervisor, dataDir);
  log.info({ redis: redis.url, dataDir }, 'redis started');
  const shared = {
    KILN_SUPERVISED: '1',
    KILN_REDIS_URL: redis.url,
    KILN_DATA_DIR: dataDir,
    KILN_STORAGE: 'fs',
    KILN_LOG_LEVEL: config.logLevel,
  };
  const start = (name: string, command: string, env: Record<string, string>) =>
    supervisor.start({ name, command: process.execPath, args: [KILN_BIN, command], env: { ...shared, ...env } });
  // The API binds its port before any worker asks the OS for a free one, so none can take it.
  const apiKeys = config.apiKeys === undefined ? { key: await privateSecret(dataDir, 'api-key', generateApiKey) } : undefined;
  start('api', 'api', {
    KILN_API_HOST: config.apiHost, KILN_API_PORT: String(apiPort),
    KILN_TOKEN_SECRETS: process.env.KILN_TOKEN_SECRETS ?? await privateSecret(dataDir, 'token-secret', () => randomBytes(48).toString('base64url')),
    ...(apiKeys === undefined ? {} : { KILN_API_KEYS: apiKeys.key }),
  });
  const url = `http://${config.apiHost === '0.0.0.0' ? '127.0.0.1' : config.apiHost}:${apiPort}`;
  await waitForHealth(url, supervisor);
  start('worker', 'worker', { KILN_WORKER_ROLE: 'ondemand' });
  start('pretranscode', 'worker', { KILN_WORKER_ROLE: 'pretranscode' });
  await waitForWorkers(redis.url, config.redisPrefix, supervisor);
  const apiKey = apiKeys === undefined
    ? 'API keys: those in KILN_API_KEYS'
    : `API key (admin, kept in ${join(dataDir, 'api-key')}): ${apiKeys.key}`;
  return { url, redisUrl: redis.url, apiKey };
}

/** A secret made once per data directory (the token secret, the admin API key), readable only by us. */
async function privateSecret(dataDir: string, name: string, make: () => string): Promise<string> {
  const file = join(dataDir, name);
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing.length >= 32) return existing;
  const secret = make();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

async function waitForHealth(url: string, supervisor: Supervisor, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  void supervisor.firstUnexpectedExit().then((child) => {
    exited = child.name;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${exited} exited while starting; see its log above`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await delay(200);
  }
  throw new Error(`the API did not answer ${url}/health within ${timeoutMs / 1000} s`);
}

/**
 * Both workers report their load: a video uploaded and played the moment Kiln says it is up finds
 * a worker to make its segments (an API with no live worker answers 503 NO_WORKER_AVAILABLE).
 */
async function waitForWorkers(redisUrl: string, prefix: string, supervisor: Supervisor, timeoutMs = 60_000): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const keys = createRedisKeys(prefix);
  let exited: string | undefined;
  void supervisor.firstUnexpectedExit().then((child) => {
    exited = child.name;
  });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new Error(`${exited} exited while starting; see its log above`);
      const ids = await redis.zrange(keys.workers(), '0', '-1');
      const roles = await Promise.all(ids.map((id) => redis.hget(keys.workerLoad(id), 'role')));
      if (roles.includes('ondemand') && roles.includes('pretranscode')) return;
      await delay(100);
    }
    throw new Error(`the workers did not report within ${timeoutMs / 1000} s`);
  } finally {
    redis.disconnect();
  }
}

/** Stays subscribed: a second Ctrl-C while stopping must not kill us before the children are down. */
function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve());
  });
}
