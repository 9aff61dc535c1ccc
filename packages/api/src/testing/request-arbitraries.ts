/**
 * Whole requests as a careless or hostile client sends them: any method on any route (its
 * parameters genuine or hostile), any credential, headers from the ones the API reads (tus's,
 * content types, ranges) with odd values, and a body of random JSON, random bytes or a huge string.
 */
import fc from 'fast-check';
import type { Scope } from '../auth/scopes.js';
import { hostilePathValue } from './hostile-inputs.js';
import type { ParamValues } from './route-requests.js';
import { fillParams, paramNames, type RouteInfo } from './routes.js';

export type Credential = Scope | 'none' | 'unknown key' | 'not a bearer';

export interface RandomRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  readonly url: string;
  /** The URL carries a genuine playback link or session token: /play may then store a session without any key. */
  readonly genuineToken: boolean;
  readonly credential: Credential;
  readonly headers: Readonly<Partial<Record<string, string>>>;
  readonly body: string | Buffer | undefined;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const TOKEN_PARAMS = new Set(['token', 'session']);

/** Header values HTTP allows (printable ASCII), often numbers, since tus reads numbers. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })).map(String),
  fc.constantFrom('', '1.0.0', '0', '-1', '1', '9007199254740993', 'filename dGVzdA==', '!!', 'bytes=0-', 'bytes=-1'),
);

const HEADER_NAMES = [
  'content-type', 'tus-resumable', 'upload-length', 'upload-offset', 'upload-metadata', 'upload-defer-length', 'upload-concat',
  'range', 'user-agent', 'accept-encoding', 'origin', 'x-forwarded-for', 'x-http-method-override', 'access-control-request-method',
] as const;

const contentType = fc.constantFrom('application/json', 'application/octet-stream', 'application/offset+octet-stream', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16');

const headers = fc.record(Object.fromEntries(HEADER_NAMES.map((name) => [name, name === 'content-type' ? fc.oneof(contentType, headerValue) : headerValue])), { requiredKeys: [] });

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
  fc.tuple(fc.constantFrom('x', '\u00e9', '{', '0'), fc.integer({ min: 1, max: 256 * 1024 })).map(([unit, count]) => unit.repeat(count)),
  fc.integer({ min: 1, max: 64 * 1024 }).map((length) => JSON.stringify({ profile: 'x'.repeat(length), lifetimeSeconds: length, reusable: 'yes' })),
);

type Method = RandomRequest['method'];
const isMethod = (value: string): value is Method => (METHODS as readonly string[]).includes(value);

/** Mostly the route's own method, so most requests reach a handler rather than a 404. */
function methodFor(route: RouteInfo): fc.Arbitrary<Method> {
  const any = fc.constantFrom(...METHODS);
  return isMethod(route.method) ? fc.oneof({ weight: 3, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: any }) : any;
}

/** A route's URL with each parameter either genuine or hostile, and whether a genuine token rode along. */
function routeUrl(route: RouteInfo, genuine: ParamValues): fc.Arbitrary<{ url: string; genuineToken: boolean }> {
  const names = paramNames(route.url);
  const choices = names.map((name) => fc.oneof(fc.constant(genuine[name] ?? 'x'), hostilePathValue()));
  return fc.tuple(...choices).map((values) => {
    const chosen = Object.fromEntries(names.map((name, index) => [name, values[index] ?? '']));
    const genuineToken = names.some((name) => TOKEN_PARAMS.has(name) && chosen[name] === genuine[name]);
    const url = fillParams(route.url, chosen);
    // CORS's `OPTIONS *` route is all parameter: its URL still needs a leading slash.
    return { url: url.startsWith('/') ? url : `/${url}`, genuineToken };
  });
}

export function randomRequest(routes: readonly RouteInfo[], genuine: ParamValues): fc.Arbitrary<RandomRequest> {
  const onRoute = fc.constantFrom(...routes).chain((route) => fc.tuple(methodFor(route), routeUrl(route, genuine)));
  const anywhere = fc.tuple(fc.constantFrom(...METHODS), fc.webPath().map((path) => ({ url: path === '' ? '/' : path, genuineToken: false })));
  const target = fc.oneof({ weight: 9, arbitrary: onRoute }, { weight: 1, arbitrary: anywhere });
  const credential = fc.constantFrom<Credential>('none', 'unknown key', 'not a bearer', 'playback', 'upload', 'admin');
  return fc.record({ target, credential, headers, body })
    .map(({ target: [method, { url, genuineToken }], ...rest }) => ({ ...rest, method, url, genuineToken }));
}
