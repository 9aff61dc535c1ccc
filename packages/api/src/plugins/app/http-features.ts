/**
 * Cross-cutting HTTP: gzip for playlists and JSON (never for segments: MPEG-TS does not shrink),
 * CORS (any origin for players, listed origins for `/v1`), OpenAPI at /docs, request metrics.
 */
import type { FastifyInstance } from 'fastify';
import { PLAYLIST_CONTENT_TYPE } from '@kiln/shared';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorBody } from '../../schemas/common.js';
import type { ApiMetrics } from '../../metrics/metrics.js';

/** Content types gzip shrinks, by prefix (a charset may follow). */
const COMPRESSIBLE = [PLAYLIST_CONTENT_TYPE, 'application/json', 'text/'];

/** Registered on the root instance (these plugins skip encapsulation), before any route. */
export function registerHttpFeatures(app: FastifyInstance, corsOrigins: readonly string[]): void {
  void app.register(compress, { global: true, encodings: ['gzip'], customTypes: (type) => COMPRESSIBLE.some((prefix) => type.startsWith(prefix)), threshold: 256 });
  // PATCH and DELETE for resumable uploads from web pages (their preflights are answered here; tus
  // sets the exposed headers of its own responses).
  const common = { methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'], exposedHeaders: ['Content-Length', 'Retry-After'], maxAge: 600 };
  const players = { ...common, origin: '*' };
  const management = { ...common, origin: [...corsOrigins] };
  // Players on any site read /play; only the listed pages may call /v1 (it takes API keys).
  void app.register(cors, { delegator: (request, callback) => callback(null, (request.url ?? '').startsWith('/v1') ? management : players) });
  app.addSchema(ErrorBody);
  void app.register(swagger, {
    openapi: {
      info: { title: 'Kiln API', version: '0.1.0', description: 'Playback tokens, HLS playlists and segments of the Kiln transcoding cluster.' },
      tags: [{ name: 'videos' }, { name: 'playback' }, { name: 'operations' }],
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
}

/** Latency by route pattern; refused tokens by code (any error whose code starts with TOKEN_). */
export function installRequestMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.addHook('onError', async (_request, _reply, error) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('TOKEN_')) metrics.tokensRefused.inc({ reason: code });
  });
}
