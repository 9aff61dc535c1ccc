import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installErrorHandler } from './plugins/app/error-handler.js';
import { healthRoutes, type HealthChecks } from './routes/health.js';

export interface ApiDependencies {
  /** A pino logger; typed as fastify's base so the instance keeps its default generics. */
  readonly log: FastifyBaseLogger;
  readonly checks: HealthChecks;
}

/** The API as a fastify instance, without listening: tests drive it with `app.inject()`. */
export function buildApiApp(deps: ApiDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  installErrorHandler(app);
  healthRoutes(app, deps.checks);
  return app;
}
