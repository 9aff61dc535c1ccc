import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { answerFrameworkError, HttpErrors, installErrorHandler, parseSegmentFileName, SEGMENT_CONTENT_TYPE } from '@kiln/shared';
import { WORKER_ERROR_POLICY } from '../errors.js';
import type { LoadSnapshot, WorkerIdentity } from '../load/report.js';
import type { TranscodeManager } from '../manager/manager.js';

/** What the routes use of the transcode manager (absent on a worker that only answers health). */
export type WorkerTranscodes = Pick<TranscodeManager, 'ensure' | 'segment' | 'listRuns' | 'metrics'>;

export interface WorkerAppDependencies {
  /** A pino logger; typed as fastify's base so the instance keeps its default generics. */
  readonly log: FastifyBaseLogger;
  readonly worker: Pick<WorkerIdentity, 'id' | 'role'>;
  readonly snapshot: () => LoadSnapshot;
  readonly transcodes?: WorkerTranscodes;
}

const ID = '^[A-Za-z0-9_.-]{1,128}$';
const segmentParams = {
  type: 'object',
  required: ['video', 'rendition', 'file'],
  properties: {
    video: { type: 'string', pattern: ID },
    rendition: { type: 'string', pattern: ID },
    file: { type: 'string' },
  },
} as const;
const transcodeBody = {
  type: 'object',
  required: ['video', 'rendition'],
  additionalProperties: false,
  properties: {
    video: { type: 'string', pattern: ID },
    rendition: { type: 'string', pattern: ID },
    segment: { type: 'integer', minimum: 0, default: 0 },
    session: { type: 'string', pattern: ID },
  },
} as const;
/** The playback session asking, so runs of renditions it has left give way (`runsLeftBy`). */
const sessionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { session: { type: 'string', pattern: ID } },
} as const;

function transcodeRoutes(app: FastifyInstance, transcodes: WorkerTranscodes): void {
  // A segment: from memory the moment it closes, else from the cache, else made (bounded wait, then 504).
  app.get<{ Params: { video: string; rendition: string; file: string }; Querystring: { session?: string } }>('/segments/:video/:rendition/:file', { schema: { params: segmentParams, querystring: sessionQuery } }, async (request, reply) => {
    const { video, rendition, file } = request.params;
    const index = parseSegmentFileName(file);
    if (index === undefined) throw HttpErrors.create('BAD_REQUEST', `${file.slice(0, 40)} is not a segment's file name ({n}.ts)`);
    const served = await transcodes.segment(video, rendition, index, request.query.session);
    return reply
      .header('content-type', SEGMENT_CONTENT_TYPE)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-kiln-source', served.source)
      .send(served.bytes);
  });
  // Ensure a transcode for (video, rendition) that will make `segment` (the API calls this on a cache miss).
  app.post<{ Body: { video: string; rendition: string; segment: number; session?: string } }>('/transcodes', { schema: { body: transcodeBody } }, async (request, reply) => {
    const { video, rendition, segment, session } = request.body;
    const result = await transcodes.ensure(video, rendition, segment, session);
    return reply.code(result.status === 'started' ? 201 : 200).send(result);
  });
  app.get('/transcodes', (_request, reply) => reply.send({ runs: transcodes.listRuns() }));
}

/**
 * The worker's HTTP face. `/health` is 503 when the worker is full or draining, so a load balancer's
 * check takes it out of rotation before it has to refuse work.
 */
export function buildWorkerApp(deps: WorkerAppDependencies): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log, frameworkErrors: answerFrameworkError });
  installErrorHandler(app, WORKER_ERROR_POLICY);
  // Health is polled every second or two by a load balancer: logged only when something is wrong.
  app.get('/health', { logLevel: 'warn' }, async (_request, reply) => {
    const load = deps.snapshot();
    const status = load.draining ? 'draining' : load.active >= load.capacity ? 'full' : 'ok';
    return reply
      .code(status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status, id: deps.worker.id, role: deps.worker.role, active: load.active, capacity: load.capacity });
  });
  const transcodes = deps.transcodes;
  if (transcodes !== undefined) {
    app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) =>
      reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(transcodes.metrics()),
    );
    transcodeRoutes(app, transcodes);
  }
  return app;
}
