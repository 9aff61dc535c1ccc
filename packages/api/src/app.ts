import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '@kiln/shared';
import { installErrorHandler } from './plugins/app/error-handler.js';
import { healthRoutes, type HealthChecks } from './routes/health.js';

export interface ApiDependencies {
  readonly log: Logger;
  readonly checks: HealthChecks;
}

/** The API as a fastify instance, without listening: tests drive it with `app.inject()`. */
export function buildApiApp(deps: ApiDependencies): FastifyInstance {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default generics.
    loggerInstance: deps.log as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  installErrorHandler(app);
  healthRoutes(app, deps.checks);
  return app;
}
