import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics/metrics.js';

/** Not world-readable: Prometheus scrapes with KILN_METRICS_TOKEN (or an admin key) as a bearer token. */
export function metricsRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get('/metrics', { logLevel: 'warn', config: { scope: 'admin', metricsToken: true }, schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics()),
  );
}
