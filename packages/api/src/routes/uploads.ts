import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorResponses } from '../schemas/common.js';
import { UploadAccepted } from '../schemas/videos.js';
import { receiveUpload, tooLarge, type UploadDependencies } from '../uploads/receive.js';
import { RESUMABLE_UPLOADS_PATH, createResumableUploads, type ResumableUploadDependencies, type ResumableUploads } from '../uploads/resumable.js';
import { uploadOwner } from '../uploads/upload-slots.js';

/** Unfinished resumable uploads past their expiry are looked for this often (any API node may do it). */
const EXPIRED_UPLOADS_SWEEP_MS = 3600_000;

/**
 * `POST /v1/videos`: a simple upload in one request (any content type), or with a `Tus-Resumable`
 * header the creation of a resumable one, continued at `/v1/uploads/:id`. Bodies are handed on as
 * streams (a parser that does not read them), in a scope of its own so other routes keep their parsers.
 */
export function uploadRoutes(parent: FastifyInstance, deps: ResumableUploadDependencies): void {
  const resumable = createResumableUploads(deps);
  void parent.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));
    simpleUploadRoute(scope, deps, resumable);
    resumableUploadRoutes(scope, resumable);
    sweepExpiredUploads(scope, resumable);
    done();
  });
}

function simpleUploadRoute(scope: FastifyInstance, deps: UploadDependencies, resumable: ResumableUploads): void {
  scope.withTypeProvider<TypeBoxTypeProvider>().post('/v1/videos', {
    config: { scope: 'upload', limit: 'uploads' },
    schema: {
      tags: ['videos'],
      summary: 'Upload a video in one request, or start a resumable (tus 1.0) upload',
      description: 'The request body is the file (`curl --data-binary @file`), any content type. Answers at once with the new id; '
        + 'processing (ingest, the pinned opening) follows, visible in `GET /v1/videos/:id`. With a `Tus-Resumable: 1.0.0` '
        + `header this is tus's creation request instead: 201 with \`Location: ${RESUMABLE_UPLOADS_PATH}/{id}\`, where the id is the video's.`,
      response: { 202: UploadAccepted, ...errorResponses(400, 413, 429) },
    },
  }, async (request, reply) => {
    if (request.headers['tus-resumable'] !== undefined) return handOver(resumable, request, reply);
    const declared = Number(request.headers['content-length']);
    // Closing the connection spares reading (and discarding) a body we refuse anyway.
    if (declared > deps.maxBytes) throw tooLarge(deps.maxBytes);
    const body = (request.body ?? request.raw) as Readable;
    try {
      return await reply.code(202).send(await receiveUpload(body, deps));
    } catch (error) {
      if (!body.readableEnded) void reply.header('connection', 'close');
      throw error;
    }
  });
}

/** HEAD (how far), PATCH (more bytes), DELETE (give up), OPTIONS (tus discovery and CORS preflight). */
function resumableUploadRoutes(scope: FastifyInstance, resumable: ResumableUploads): void {
  const url = `${RESUMABLE_UPLOADS_PATH}/:id`;
  const hide = { hide: true };
  scope.route({ method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url, schema: hide, config: { scope: 'upload' }, handler: (request, reply) => handOver(resumable, request, reply) });
}

/** tus answers on the raw response itself; fastify only routed the request. */
async function handOver(resumable: ResumableUploads, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.hijack();
  // The key's id rides in the async context: a creation takes one of the key's upload slots.
  await uploadOwner.run(request.apiKey?.id, () => resumable.handle(request.raw, reply.raw));
}

function sweepExpiredUploads(scope: FastifyInstance, resumable: ResumableUploads): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => void resumable.removeExpired().catch((error: unknown) => scope.log.warn({ err: error }, 'removing expired uploads failed'));
  scope.addHook('onReady', (done) => {
    timer = setInterval(sweep, EXPIRED_UPLOADS_SWEEP_MS).unref();
    done();
  });
  scope.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
}
