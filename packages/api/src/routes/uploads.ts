import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorResponses } from '../schemas/common.js';
import { UploadAccepted } from '../schemas/videos.js';
import { receiveUpload, tooLarge, type UploadDependencies } from '../uploads/receive.js';

/**
 * `POST /v1/videos`: a simple upload in one request, any content type. The body is handed on as a
 * stream (a parser that does not read it), in a scope of its own so other routes keep their parsers.
 */
export function uploadRoutes(parent: FastifyInstance, deps: UploadDependencies): void {
  void parent.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.post('/v1/videos', {
      schema: {
        tags: ['videos'],
        summary: 'Upload a video in one request',
        description: 'The request body is the file (`curl --data-binary @file`), any content type. Answers at once with the new id; '
          + 'processing (ingest, the pre-transcoded head) follows, visible in `GET /v1/videos/:id`.',
        response: { 202: UploadAccepted, ...errorResponses(400, 413) },
      },
    }, async (request, reply) => {
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
    done();
  });
}
