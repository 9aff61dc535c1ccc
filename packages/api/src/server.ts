import {
  connectRedis, createLogger, createRedisKeys, createStorage, loadApiConfig, moduleLogger, pingRedis, runUntilSignalled, shutdownRequested,
  storageOptionsFromConfig, type Env,
} from '@kiln/shared';
import { buildApiApp } from './app.js';
import { createApiMetrics } from './metrics/metrics.js';
import { createJobQueue } from './plugins/external/queues.js';
import { createHttpWorkerClient } from './workers/http-client.js';

/** A key nobody writes: asking for it proves the storage answers without touching real objects. */
const STORAGE_PROBE_KEY = 'health/probe';

/**
 * `kiln api`: reads the config, connects to Redis and object storage, listens, and on SIGTERM
 * closes the listener (in-flight requests finish) before dropping connections.
 */
export async function runApi(env: Env = process.env): Promise<number> {
  const config = loadApiConfig(env);
  // Listening from the start: a SIGTERM while still starting stops the service once it is up.
  const requested = shutdownRequested(env.KILN_SUPERVISED === '1');
  const log = createLogger({ name: 'api', level: config.logLevel });
  const redis = connectRedis(config.redisUrl, { name: 'kiln-api' });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  const storage = createStorage(storageOptionsFromConfig(config));
  const keys = createRedisKeys(config.redisPrefix);
  const queue = createJobQueue(redis, keys);
  const app = buildApiApp({
    log: moduleLogger(log, 'http'),
    checks: {
      redis: () => pingRedis(redis),
      storage: () => storage.head(STORAGE_PROBE_KEY).then(() => true),
    },
    metrics: createApiMetrics({ processMetrics: true }),
    playback: {
      redis,
      keys,
      storage,
      tokenSecrets: config.tokenSecrets,
      playbackSigningKeys: config.playbackSigningKeys ?? [],
      workers: createHttpWorkerClient(),
      settings: {
        ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
        playbackLinkLifetimeMs: config.playbackLinkLifetime,
        sessionLifetimeMs: config.sessionLifetime,
        slotReservationTtlMs: config.slotReservationTtl,
      },
    },
    uploads: { queue, maxBytes: config.uploadMaxBytes, maxInProgressPerKey: config.limitUploadsInProgress },
    access: {
      ...(config.apiKeys === undefined ? {} : { apiKeys: config.apiKeys }),
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      ...(config.corsOrigins === undefined ? {} : { corsOrigins: config.corsOrigins }),
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
    },
    limits: {
      uploadsPerKey: config.limitUploadsPerKey,
      uploadsPerAddress: config.limitUploadsPerAddress,
      playbackLinksPerKey: config.limitPlaybackLinksPerKey,
      playbackLinksPerAddress: config.limitPlaybackLinksPerAddress,
      tokenFailuresPerAddress: config.limitTokenFailures,
    },
    timeouts: { idleMs: config.apiIdleTimeout },
  });
  if (config.apiKeys === undefined) log.warn('KILN_API_KEYS is not set: only keys made with `kiln keys create` open /v1');
  const address = await app.listen({ host: config.apiHost, port: config.apiPort });
  log.info({ address }, 'api listening');
  return runUntilSignalled(
    {
      stop: async () => {
        await app.close();
        await queue.close();
        redis.disconnect();
      },
    },
    { log, graceMs: config.shutdownGrace, exitWhenStdinCloses: env.KILN_SUPERVISED === '1', requested },
  );
}
