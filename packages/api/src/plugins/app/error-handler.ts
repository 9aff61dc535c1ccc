import type { FastifyError, FastifyInstance } from 'fastify';
import { isKilnError } from '@kiln/shared';
import { ApiErrors } from '../../errors.js';

/** Refusals a client should retry, and after how long. */
const RETRY_AFTER_SECONDS: Readonly<Record<string, number>> = { NO_WORKER_AVAILABLE: 2 };

/**
 * Every error leaves the API as `{ code, message }` with a stable code: KilnErrors keep theirs,
 * fastify's validation errors become BAD_REQUEST, and anything else INTERNAL (logged, never shown).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const error = ApiErrors.create('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(error.httpStatus).send(error.toJSON());
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isKilnError(error)) {
      const retryAfter = RETRY_AFTER_SECONDS[error.code];
      // A refusal with a Retry-After (no worker free, a slot being taken) is the cluster at work, not a fault.
      if (error.httpStatus >= 500) request.log[retryAfter === undefined ? 'error' : 'warn']({ err: error }, 'request failed');
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      return reply.code(error.httpStatus).send(error.toJSON());
    }
    if (error.validation !== undefined || (error.statusCode !== undefined && error.statusCode < 500)) {
      const status = error.statusCode ?? 400;
      return reply.code(status).send({ code: ApiErrors.create('BAD_REQUEST').code, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(ApiErrors.create('INTERNAL').toJSON());
  });
}
