import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics/metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get('/metrics', { logLevel: 'warn', schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics()),
  );
}
