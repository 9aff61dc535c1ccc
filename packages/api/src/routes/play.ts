/**
 * What players fetch: the master playlist (consumes the one-time link), variant playlists and
 * segments (session token in the path, bound to the video in the path).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiErrors } from '../errors.js';
import type { PlaybackServices } from '../plugins/app/services.js';
import {
  DEFAULT_START_BANDWIDTH, renderMasterPlaylist, renderVariantPlaylist, renditionsFor, sharedTargetDuration, startFirst, withMeasuredAverage, type Rendition,
} from '../playlists/index.js';
import { errorResponses } from '../schemas/common.js';
import type { Session } from '../tokens/playback-tokens.js';
import { parseSegmentFileName, PLAYLIST_CONTENT_TYPE, profileFromUserAgent, SEGMENT_CONTENT_TYPE, type ProfileName, type VideoRecord } from '@kiln/shared';

/** Playlists never change, but the master consumes a link and sessions expire: keep them short. */
const MASTER_CACHE = 'private, no-store';
const VARIANT_CACHE = 'private, max-age=60';
/** A segment's bytes never change for its URL. */
const SEGMENT_CACHE = 'private, max-age=86400, immutable';

const SessionParams = Type.Object({ video: Type.String(), session: Type.String(), rendition: Type.String() });
const SegmentParams = Type.Object({ video: Type.String(), session: Type.String(), rendition: Type.String(), file: Type.String() });
const m3u8 = { 200: Type.String({ description: PLAYLIST_CONTENT_TYPE }), ...errorResponses(403, 404, 409) };

interface SessionParamsValue {
  readonly video: string;
  readonly session: string;
  readonly rendition: string;
}

interface SessionRendition {
  session: Session;
  record: VideoRecord;
  renditions: Rendition[];
  rendition: Rendition;
}

async function sessionRendition(services: PlaybackServices, params: SessionParamsValue, verified?: Session): Promise<SessionRendition> {
  const session = verified ?? services.tokens.verifySession(params.session, params.video);
  const record = await services.videos.getPlayable(params.video);
  const renditions = renditionsFor(record, session.claims.profile);
  const rendition = renditions.find((candidate) => candidate.id === params.rendition);
  if (rendition === undefined) throw ApiErrors.create('RENDITION_NOT_FOUND', undefined, { details: { rendition: params.rendition } });
  return { session, record, renditions, rendition };
}

/** The segment number a file name asks for, checked against the rendition's plan once that is known. */
function segmentNumber(file: string, rendition?: Rendition): number {
  const index = parseSegmentFileName(file);
  if (index === undefined || (rendition !== undefined && index >= rendition.plan.segments.length)) {
    throw ApiErrors.create('SEGMENT_NOT_FOUND', undefined, { details: { file } });
  }
  return index;
}

/**
 * The session's rendition and the segment's cache entry, read from Redis side by side once the
 * token is verified (a cached segment then costs one round trip before its bytes). The rendition's
 * refusal wins over the lookup's: a bad rendition id is RENDITION_NOT_FOUND, not a bad key.
 */
async function segmentContext(services: PlaybackServices, params: SessionParamsValue & { file: string }) {
  const session = services.tokens.verifySession(params.session, params.video);
  const requested = segmentNumber(params.file);
  const [context, cached] = await Promise.allSettled([
    sessionRendition(services, params, session),
    services.segments.lookup(params.video, params.rendition, requested),
  ]);
  if (context.status === 'rejected') throw context.reason;
  if (cached.status === 'rejected') throw cached.reason;
  return { ...context.value, segment: segmentNumber(params.file, context.value.rendition), cached: cached.value };
}

/**
 * The session's renditions as the master lists them: averages measured from the cache where it holds
 * enough (`measured-rates.ts`), the start variant first (`start-variant.ts`), chosen from the bandwidth
 * hint and which first segments are cached.
 */
async function masterRenditions(services: PlaybackServices, record: VideoRecord, profile: ProfileName, bandwidth: number | undefined): Promise<Rendition[]> {
  const planned = renditionsFor(record, profile);
  const indexes = await Promise.all(planned.map((rendition) => services.segments.cachedIndex(record.id, rendition.id)));
  const renditions = planned.map((rendition, i) => withMeasuredAverage(rendition, indexes[i] ?? new Map()));
  const cached = new Set(renditions.filter((_, i) => indexes[i]?.has(0) === true).map((rendition) => rendition.id));
  return startFirst(renditions, { bandwidth: bandwidth ?? DEFAULT_START_BANDWIDTH[profile], cached });
}

export function playRoutes(parent: FastifyInstance, services: PlaybackServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { tokens, videos, settings } = services;

  app.get('/play/:token/master.m3u8', {
    schema: { tags: ['playback'], summary: 'Master playlist; consumes the one-time link', params: Type.Object({ token: Type.String() }), response: m3u8 },
  }, async (request, reply) => {
    const link = tokens.verifyLink(request.params.token);
    const record = await videos.getPlayable(link.claims.video);
    await tokens.consume(link);
    const sessionId = tokens.newSessionId();
    // The worker named in the session token lets a load balancer route segments straight to it.
    const worker = await services.scheduler.pick(sessionId, { sessionTtlMs: settings.sessionLifetimeMs });
    const profile = link.claims.profile ?? profileFromUserAgent(request.headers['user-agent']);
    const claims = { video: record.id, profile, ...(worker ? { worker: worker.workerId } : {}) };
    const session = tokens.startSession(sessionId, claims, settings.sessionLifetimeMs);
    const renditions = await masterRenditions(services, record, profile, link.claims.bandwidth);
    const entries = renditions.map((rendition) => ({
      rung: rendition.rung,
      uri: `../${record.id}/${session.token}/${rendition.id}/index.m3u8`,
    }));
    return reply.type(PLAYLIST_CONTENT_TYPE).header('cache-control', MASTER_CACHE).send(renderMasterPlaylist(entries));
  });

  app.get('/play/:video/:session/:rendition/index.m3u8', {
    schema: { tags: ['playback'], summary: 'Variant playlist, complete (VOD)', params: SessionParams, response: m3u8 },
  }, async (request, reply) => {
    const { rendition, renditions } = await sessionRendition(services, request.params);
    const text = renderVariantPlaylist({ plan: rendition.plan, targetDuration: sharedTargetDuration(renditions) });
    return reply.type(PLAYLIST_CONTENT_TYPE).header('cache-control', VARIANT_CACHE).send(text);
  });

  app.get('/play/:video/:session/:rendition/:file', {
    schema: {
      tags: ['playback'],
      summary: 'A segment (`{n}.ts`): from the cache in place, else from a worker',
      params: SegmentParams,
      response: { 200: Type.Unknown({ description: SEGMENT_CONTENT_TYPE }), ...errorResponses(403, 404, 409, 502, 503) },
    },
  }, async (request, reply) => {
    const { session, record, rendition, segment, cached } = await segmentContext(services, request.params);
    const abort = new AbortController();
    // The player went away before the segment was sent: stop waiting on the worker.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const routed = await services.segments.route({
      job: { videoId: record.id, renditionId: rendition.id, profile: session.claims.profile, rungId: rendition.rung.id, sourceKey: record.sourceKey, segment, sessionId: session.id },
      sessionId: session.id,
      sessionTtlMs: Math.max(1, session.expiresAt.getTime() - services.now().getTime()),
      signal: abort.signal,
      cached,
    });
    services.metrics.segmentCache.inc({ result: routed.source === 'cache' ? 'hit' : 'miss' });
    if (routed.contentLength !== undefined) reply.header('content-length', routed.contentLength);
    return reply.type(SEGMENT_CONTENT_TYPE).header('cache-control', SEGMENT_CACHE).send(routed.body);
  });
}
