import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { answerFrameworkError, createRedisKeys, installErrorHandler, MAX_TOKEN_LENGTH } from '@kiln/shared';
import { API_ERROR_POLICY } from './errors.js';
import { createApiMetrics, type ApiMetrics } from './metrics/metrics.js';
import { installRequestMetrics, registerHttpFeatures } from './plugins/app/http-features.js';
import { createPlaybackServices, type PlaybackDependencies } from './plugins/app/services.js';
import { healthRoutes, type HealthChecks } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { playRoutes } from './routes/play.js';
import { videoRoutes } from './routes/videos.js';
import { deleteVideoRoutes } from './routes/delete-video.js';
import { uploadRoutes } from './routes/uploads.js';
import type { Locker } from '@tus/utils';
import type { JobQueue } from './plugins/external/queues.js';
import { installAuthentication } from './auth/authenticate.js';
import { createApiKeyStore } from './auth/key-store.js';
import { JSON_BODY_LIMIT, serverTimeoutOptions, type ServerTimeouts } from './limits/http-limits.js';
import type { RateLimits } from './limits/limiters.js';
import { installRateLimits } from './limits/rate-limits.js';

export interface ApiDependencies {
  /** A pino logger; typed as fastify's base so the instance keeps its default generics. */
  readonly log: FastifyBaseLogger;
  readonly checks: HealthChecks;
  /** Redis, storage, tokens and workers for the playback routes; without them only /health and /metrics answer. */
  readonly playback?: PlaybackDependencies;
  readonly metrics?: ApiMetrics;
  /**
   * The job queue and the size limit for `POST /v1/videos`, and how many unfinished resumable
   * uploads a key may have (absent or 0: any); it needs `playback` too. Tests may shorten locks.
   */
  readonly uploads?: { readonly queue: JobQueue; readonly maxBytes: number; readonly maxInProgressPerKey?: number; readonly locker?: Locker };
  /** Who may call `/v1` and `/metrics`, and from which web origins. */
  readonly access?: ApiAccess;
  /** Request rates per API key and client address, counted in the playback Redis; absent: none. */
  readonly limits?: RateLimits;
  /** The HTTP server's timeouts; absent ones are the defaults. */
  readonly timeouts?: Partial<ServerTimeouts>;
}

export interface ApiAccess {
  /** KILN_API_KEYS: admin keys; run-time keys live in Redis beside them. */
  readonly apiKeys?: readonly string[];
  readonly metricsToken?: string;
  /** KILN_CORS_ORIGINS: pages that may call `/v1` from a browser. */
  readonly corsOrigins?: readonly string[];
  /** KILN_TRUST_PROXY: load balancers whose X-Forwarded-For names the client. */
  readonly trustProxy?: readonly string[];
}

/** The API as a fastify instance, without listening: tests drive it with `app.inject()`. */
export function buildApiApp(deps: ApiDependencies): FastifyInstance {
  const access = deps.access ?? {};
  const app = Fastify({
    loggerInstance: deps.log,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    frameworkErrors: answerFrameworkError,
    // Tokens ride in the path; fastify's default (100 characters) would answer 414 to them.
    routerOptions: { maxParamLength: MAX_TOKEN_LENGTH },
    bodyLimit: JSON_BODY_LIMIT,
    ...serverTimeoutOptions(deps.timeouts),
    ...(access.trustProxy === undefined ? {} : { trustProxy: [...access.trustProxy] }),
  });
  const metrics = deps.metrics ?? createApiMetrics();
  installRequestMetrics(app, metrics);
  installAuthentication(app, {
    store: createApiKeyStore({ redis: deps.playback?.redis, keys: deps.playback?.keys ?? createRedisKeys(), configured: access.apiKeys ?? [] }),
    ...(access.metricsToken === undefined ? {} : { metricsToken: access.metricsToken }),
  });
  // After authentication: limits per key need the request's key.
  const limited = deps.limits === undefined || deps.playback === undefined
    ? {}
    : installRateLimits(app, { redis: deps.playback.redis, keys: deps.playback.keys, limits: deps.limits });
  installErrorHandler(app, { ...API_ERROR_POLICY, ...limited });
  healthRoutes(app, deps.checks);
  registerHttpFeatures(app, access.corsOrigins ?? []);
  // Routes go in a plugin registered after swagger, so its onRoute hook sees them for /docs.
  void app.register((routes, _options, done) => {
    metricsRoutes(routes, metrics);
    if (deps.playback !== undefined) {
      const services = createPlaybackServices(deps.playback, metrics, deps.log);
      videoRoutes(routes, services);
      deleteVideoRoutes(routes, services, deps.playback);
      playRoutes(routes, services);
      if (deps.uploads !== undefined) {
        uploadRoutes(routes, {
          ...deps.uploads, storage: deps.playback.storage, redis: deps.playback.redis, keys: deps.playback.keys,
          videos: services.videos, now: services.now, log: deps.log,
        });
      }
    }
    done();
  });
  return app;
}
