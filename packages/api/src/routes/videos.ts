import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HttpErrors } from '@kiln/shared';
import type { PlaybackServices } from '../plugins/app/services.js';
import { JSON_BODY_LIMIT } from '../limits/http-limits.js';
import { VideoIdParams, errorResponses } from '../schemas/common.js';
import { PlaybackLink, PlaybackRequest, Video } from '../schemas/videos.js';
import { videoView } from '../videos/view.js';

/** The origin players reach this API at: KILN_PUBLIC_URL, else what the request was addressed to. */
export function publicBase(request: FastifyRequest, publicUrl: string | undefined): string {
  return (publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

export function videoRoutes(parent: FastifyInstance, services: PlaybackServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/v1/videos/:id', {
    config: { scope: 'playback' },
    schema: { tags: ['videos'], summary: 'A video: state, duration, size, renditions, error', params: VideoIdParams, response: { 200: Video, ...errorResponses(404) } },
  }, async (request) => videoView(await services.videos.get(request.params.id)));

  app.post('/v1/videos/:id/playback', {
    config: { scope: 'playback', limit: 'playbackLinks' },
    bodyLimit: JSON_BODY_LIMIT,
    schema: {
      tags: ['videos'],
      summary: 'A one-time playback URL for the master playlist',
      description: 'Profile from the body, else guessed from the User-Agent. The URL works once unless `reusable`.',
      params: VideoIdParams,
      body: PlaybackRequest,
      response: { 201: PlaybackLink, ...errorResponses(400, 404, 409, 413, 429) },
    },
    // Every field is optional, so no body at all means the defaults.
    preValidation: (request, _reply, done) => {
      request.body ??= {};
      done();
    },
  }, async (request, reply) => {
    const { settings, tokens, videos } = services;
    const { body } = request;
    await videos.getPlayable(request.params.id);
    const lifetimeMs = body.lifetimeSeconds === undefined ? settings.playbackLinkLifetimeMs : body.lifetimeSeconds * 1000;
    if (lifetimeMs > settings.sessionLifetimeMs) {
      throw HttpErrors.create('BAD_REQUEST', `lifetimeSeconds may be at most ${settings.sessionLifetimeMs / 1000}`);
    }
    // Without a profile the player's own User-Agent decides when it opens the link: a backend that
    // asks for links on a viewer's behalf has a User-Agent of its own.
    const { profile, bandwidth } = body;
    const fixed = { ...(profile === undefined ? {} : { profile }), ...(bandwidth === undefined ? {} : { bandwidth }) };
    const link = tokens.issueLink({ video: request.params.id, reusable: body.reusable ?? false, ...fixed }, lifetimeMs);
    const url = `${publicBase(request, settings.publicUrl)}/play/${link.token}/master.m3u8`;
    return reply.code(201).header('cache-control', 'no-store').send({ url, expiresAt: link.expiresAt.toISOString(), ...(profile === undefined ? {} : { profile }) });
  });
}
