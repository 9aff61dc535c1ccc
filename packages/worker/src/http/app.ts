import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LoadSnapshot, WorkerIdentity } from '../load/report.js';

export interface WorkerAppDependencies {
  /** A pino logger; typed as fastify's base so the instance keeps its default generics. */
  readonly log: FastifyBaseLogger;
  readonly worker: Pick<WorkerIdentity, 'id' | 'role'>;
  readonly snapshot: () => LoadSnapshot;
}

/**
 * The worker's HTTP face. `/health` is 503 when the worker is full or draining, so HAProxy's
 * check takes it out of rotation before it has to refuse work.
 */
export function buildWorkerApp(deps: WorkerAppDependencies): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log });
  // Health is polled every second or two by HAProxy: logged only when something is wrong.
  app.get('/health', { logLevel: 'warn' }, async (_request, reply) => {
    const load = deps.snapshot();
    const status = load.draining ? 'draining' : load.active >= load.capacity ? 'full' : 'ok';
    return reply
      .code(status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status, id: deps.worker.id, role: deps.worker.role, active: load.active, capacity: load.capacity });
  });
  return app;
}
