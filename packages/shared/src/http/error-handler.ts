import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKilnError, type KilnError } from '../errors.js';
import { HttpErrors } from './errors.js';

/** What differs between services: which refusals to retry, and which 5xx are refusals, not faults. */
export interface ErrorPolicy {
  /** Seconds a client should wait before retrying, by error code (sent as Retry-After). */
  readonly retryAfterSeconds?: Readonly<Record<string, number>>;
  /** 5xx statuses a working service answers when it refuses (full, draining, too slow): logged at warn. */
  readonly refusalStatuses?: readonly number[];
  /**
   * A last say on a KilnError before it is answered: it may answer another error and set headers
   * (the API answers repeated token failures from one address with 429).
   */
  readonly review?: (error: KilnError, request: FastifyRequest, reply: FastifyReply) => Promise<KilnError>;
}

/**
 * Every error leaves a service as `{ code, message }` with a stable code: KilnErrors keep theirs,
 * a body over the route's limit is 413 BODY_TOO_LARGE, fastify's other 4xx (validation, content
 * types) become BAD_REQUEST with fastify's status and message, and anything else INTERNAL (logged,
 * never shown).
 */
export function installErrorHandler(app: FastifyInstance, policy: ErrorPolicy = {}): void {
  app.setNotFoundHandler((request, reply) => {
    const error = HttpErrors.create('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(error.httpStatus).send(error.toJSON());
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isKilnError(error)) {
      const { review } = policy;
      if (review === undefined) return sendKilnError(error, request, reply, policy);
      return review(error, request, reply).then((final) => sendKilnError(final, request, reply, policy));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const tooLarge = HttpErrors.create('BODY_TOO_LARGE', `the request body is larger than this route accepts (${request.routeOptions.bodyLimit} bytes)`);
      return sendKilnError(tooLarge, request, reply, policy);
    }
    if (error.validation !== undefined || (error.statusCode !== undefined && error.statusCode < 500)) {
      return reply.code(error.statusCode ?? 400).send({ code: HttpErrors.create('BAD_REQUEST').code, message: error.message });
    }
    if (clientWentAway(request)) {
      // The client closed the connection first (a player that moved on): the work it waited for was stopped, nothing failed.
      request.log.info({ err: error }, 'request abandoned by its client');
      return reply.code(499).send(HttpErrors.create('INTERNAL').toJSON());
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(HttpErrors.create('INTERNAL').toJSON());
  });
}

/** The request's connection was closed by its client before an answer. */
function clientWentAway(request: FastifyRequest): boolean {
  return request.raw.destroyed || request.raw.socket?.destroyed === true;
}

/** What fastify's framework errors mean to a client; the path they carry is not echoed back. */
const FRAMEWORK_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the URL path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a part of the URL path is too long',
};

/**
 * Fastify's `frameworkErrors` option: what it refuses before routing (a path of bad escapes, a
 * parameter past `maxParamLength`) never reaches the error handler, and leaves in fastify's own
 * shape with the whole path echoed unless this answers it, as `{ code, message }` like any refusal.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return void reply.code(500).send(HttpErrors.create('INTERNAL').toJSON());
  }
  void reply.code(status).send({ code: HttpErrors.create('BAD_REQUEST').code, message: FRAMEWORK_MESSAGES[error.code] ?? error.message });
}

function sendKilnError(error: KilnError, request: FastifyRequest, reply: FastifyReply, policy: ErrorPolicy): FastifyReply {
  if (error.httpStatus >= 500) {
    // A refusal (no slot free, draining, too slow) is the cluster at work; anything else is a fault.
    const refusal = policy.refusalStatuses?.includes(error.httpStatus) ?? false;
    request.log[refusal ? 'warn' : 'error']({ err: error }, 'request failed');
  }
  const retryAfter = policy.retryAfterSeconds?.[error.code];
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.code(error.httpStatus).send(error.toJSON());
}
