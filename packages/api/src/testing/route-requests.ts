/**
 * Requests that reach each route's handler, so an attack on one parameter is met by the code that
 * reads it rather than by the first refusal on the way: the right key, a genuine playback link and
 * session token, a real rendition and segment for every other parameter, tus's headers on uploads.
 */
import type { InjectOptions } from 'fastify';
import { signPlaybackToken, signSessionToken } from '@kiln/shared';
import { renditionsFor } from '../playlists/index.js';
import { TEST_SECRET } from './harness.js';
import { fillParams, type RouteInfo } from './routes.js';
import { sampleVideo } from './sample-videos.js';
import type { SecurityHarness } from './security-harness.js';

/** A genuine value for every parameter name the API's routes use. */
export type ParamValues = Readonly<Record<string, string>>;

/** Tokens valid for `v1` until long after the harness clock, the link reusable so no test uses it up. */
export function genuineParams(now: number): ParamValues {
  const expiresAt = new Date(now + 3_600_000);
  const rendition = renditionsFor(sampleVideo({ id: 'v1' }), 'mobile')[0];
  if (rendition === undefined) throw new Error('the sample video has no mobile rendition');
  return {
    id: 'v1',
    video: 'v1',
    token: signPlaybackToken(TEST_SECRET, { video: 'v1', profile: 'mobile', reusable: true }, { expiresAt }),
    session: signSessionToken(TEST_SECRET, { video: 'v1', profile: 'mobile' }, { expiresAt }),
    rendition: rendition.id,
    file: '0.ts',
    '*': 'index.html',
  };
}

/** Headers and body a route's handler expects besides its URL (uploads speak tus; JSON routes take JSON). */
function routeExtras(route: RouteInfo): Pick<InjectOptions, 'headers' | 'payload'> {
  if (route.url.startsWith('/v1/uploads/')) {
    const tus = { 'tus-resumable': '1.0.0', 'upload-offset': '0' };
    return route.method === 'PATCH'
      ? { headers: { ...tus, 'content-type': 'application/offset+octet-stream' }, payload: Buffer.from('bytes') }
      : { headers: tus };
  }
  return route.method === 'POST' ? { headers: { 'content-type': 'application/json' }, payload: '{}' } : { headers: {} };
}

/** The request for `route` with `values` in place of the genuine parameters, sent with the route's own scope. */
export function routeRequest(h: SecurityHarness, route: RouteInfo, genuine: ParamValues, values: ParamValues = {}): InjectOptions & { url: string } {
  const extras = routeExtras(route);
  const key = route.url.startsWith('/v1') ? h.as[route.scope ?? 'admin'] : {};
  return {
    method: route.method,
    url: fillParams(route.url, { ...genuine, ...values }),
    headers: { ...extras.headers, ...key },
    ...(extras.payload === undefined ? {} : { payload: extras.payload }),
  };
}
