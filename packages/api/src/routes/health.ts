import type { FastifyInstance } from 'fastify';

/** A named dependency check: resolves true when the dependency answers in time. */
export type HealthChecks = Readonly<Record<string, () => Promise<boolean>>>;

/** `/health`: 200 when every dependency answers, else 503, so a load balancer takes this node out. */
export function healthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  app.get('/health', { logLevel: 'warn' }, async (_request, reply) => {
    const entries = Object.entries(checks);
    const names = entries.map(([name]) => name);
    const results = await Promise.all(entries.map(([, check]) => check().catch(() => false)));
    const status = results.every(Boolean) ? 'ok' : 'unavailable';
    const detail = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'failing']));
    return reply.code(status === 'ok' ? 200 : 503).header('cache-control', 'no-store').send({ status, checks: detail });
  });
}
