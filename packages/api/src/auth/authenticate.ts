/**
 * Every `/v1` route needs `Authorization: Bearer <key>` with a scope at least the route's
 * (`config: { scope }` on the route; a `/v1` route that declares none needs `admin`). CORS
 * preflights carry no credentials and pass. Keys are never logged: fastify's request log has no headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import { bearerCredential } from './api-keys.js';
import type { ApiKeyInfo, ApiKeyStore } from './key-store.js';
import { scopeAllows, type Scope } from './scopes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least scope a key needs for this route. */
    scope?: Scope;
    /** KILN_METRICS_TOKEN is accepted here besides keys (Prometheus scrapes with it). */
    metricsToken?: boolean;
  }
  interface FastifyRequest {
    /** The key that authenticated this request, on routes that need one. */
    apiKey: ApiKeyInfo | undefined;
  }
}

const REALM = 'Bearer realm="kiln"';

function requiredScope(request: FastifyRequest): Scope | undefined {
  if (request.method === 'OPTIONS') return undefined;
  const declared = request.routeOptions.config.scope;
  if (declared !== undefined) return declared;
  const route = request.routeOptions.url ?? '';
  const path = request.url.split('?')[0];
  return route.startsWith('/v1/') || path === '/v1' || path.startsWith('/v1/') ? 'admin' : undefined;
}

function refuse(reply: FastifyReply, challenge: string, code: 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'AUTH_SCOPE', message?: string): never {
  void reply.header('www-authenticate', challenge);
  throw ApiErrors.create(code, message);
}

export interface AuthenticationOptions {
  readonly store: ApiKeyStore;
  /** KILN_METRICS_TOKEN: opens the routes marked `metricsToken`, nothing else. */
  readonly metricsToken?: string;
}

const METRICS_READER: ApiKeyInfo = { id: 'metrics-token', name: 'KILN_METRICS_TOKEN', scope: 'admin', createdAt: 0, source: 'config' };

function isMetricsToken(options: AuthenticationOptions, request: FastifyRequest, key: string): boolean {
  const token = options.metricsToken;
  if (token === undefined || request.routeOptions.config.metricsToken !== true) return false;
  return constantTimeEqual(Buffer.from(key), Buffer.from(token));
}

async function authenticate(options: AuthenticationOptions, request: FastifyRequest, reply: FastifyReply, needed: Scope): Promise<ApiKeyInfo> {
  const credential = bearerCredential(request.headers.authorization);
  if (credential.kind === 'absent') return refuse(reply, REALM, 'AUTH_REQUIRED');
  if (credential.kind === 'key' && isMetricsToken(options, request, credential.key)) return METRICS_READER;
  const { store } = options;
  const info = credential.kind === 'key' ? await store.authenticate(credential.key) : undefined;
  if (info === undefined) return refuse(reply, `${REALM}, error="invalid_token"`, 'AUTH_INVALID');
  if (!scopeAllows(info.scope, needed)) {
    return refuse(reply, `${REALM}, error="insufficient_scope", scope="${needed}"`, 'AUTH_SCOPE', `this key has the ${info.scope} scope; this needs ${needed}`);
  }
  return info;
}

/** Registered on the root instance before any route, so every route (and 404s under /v1) is covered. */
export function installAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  app.decorateRequest('apiKey', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const needed = requiredScope(request);
    if (needed === undefined) return;
    request.apiKey = await authenticate(options, request, reply, needed);
  });
}
