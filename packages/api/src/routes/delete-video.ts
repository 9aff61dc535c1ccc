import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PlaybackServices } from '../plugins/app/services.js';
import { VideoIdParams, errorResponses } from '../schemas/common.js';
import { deleteVideoData, type VideoDeletion } from '../videos/delete.js';

export function deleteVideoRoutes(parent: FastifyInstance, services: PlaybackServices, deletion: VideoDeletion): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.delete('/v1/videos/:id', {
    config: { scope: 'admin' },
    schema: {
      tags: ['videos'],
      summary: 'Deletes a video: its source, upload, cached segments, cache index and record',
      description: 'A delete that failed halfway leaves the record: deleting again finishes it.',
      params: VideoIdParams,
      response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    await services.videos.get(request.params.id);
    await deleteVideoData(deletion, request.params.id);
    return reply.code(204).send(null);
  });
}
