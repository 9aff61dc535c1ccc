/**
 * Every `/v1` route the app registers, found from the app itself: without a key 401
 * AUTH_REQUIRED, with a wrong or malformed key 401 AUTH_INVALID, with a key of too small a scope
 * 403 AUTH_SCOPE, and with its scope past authentication. CORS preflights are the one exception:
 * they carry no credentials, so they must reach no handler and store nothing.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SCOPES, type Scope } from '../auth/scopes.js';
import { startSecurityHarness, type SecurityHarness } from '../testing/security-harness.js';
import { fillParams, isManagementRoute, parsePrintedRoutes, routeShape, type RouteInfo } from '../testing/routes.js';

let h: SecurityHarness;
before(async () => {
  h = await startSecurityHarness();
});
after(async () => h.stop());
beforeEach(async () => h.reset());

/** Real values for each parameter, so a request with the right key gets past routing to the handler. */
const PARAMS = { id: 'v1' };

const managementRoutes = () => h.routes.filter((route) => isManagementRoute(route.url) && route.method !== 'OPTIONS');
const needed = (route: RouteInfo): Scope => route.scope ?? 'admin';
const label = (route: RouteInfo) => `${route.method} ${route.url}`;

async function call(route: RouteInfo, headers: Record<string, string>) {
  const response = await h.app.inject({ method: route.method as 'GET', url: fillParams(route.url, PARAMS), headers });
  // HEAD answers carry no body (their status and challenge say the same); a 204 or tus's answers none either.
  const json = String(response.headers['content-type']).startsWith('application/json') && response.body !== '';
  const code = json ? response.json<{ code?: string }>().code : undefined;
  return { status: response.statusCode, code, challenge: response.headers['www-authenticate'] };
}

test('the suite sees every /v1 route the router holds, and they are the ones it expects at least', () => {
  const recorded = new Set(h.routes.map((route) => `${route.method} ${routeShape(route.url)}`));
  const printed = parsePrintedRoutes(h.app.printRoutes({ commonPrefix: false })).filter((route) => isManagementRoute(route.url));
  const unseen = printed.filter((route) => !recorded.has(`${route.method} ${routeShape(route.url)}`));
  assert.deepEqual(unseen, [], 'a /v1 route registered where the onRoute hook cannot see it');
  assert.equal(printed.length, h.routes.filter((route) => isManagementRoute(route.url)).length, 'the printed tree lists as many /v1 routes');
  const seen = managementRoutes().map(label);
  for (const expected of ['GET /v1/videos/:id', 'POST /v1/videos/:id/playback', 'DELETE /v1/videos/:id', 'POST /v1/videos', 'PATCH /v1/uploads/:id']) {
    assert.ok(seen.includes(expected), `${expected} is among the routes found`);
  }
});

test('every /v1 route: 401 without a key, 401 with a wrong or malformed one', async (t) => {
  const wrong = [
    { authorization: 'Bearer kiln_not-a-key-anyone-made-0123456789' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer' },
    { authorization: `Bearer ${'k'.repeat(300)}` },
  ];
  let cases = 0;
  for (const route of managementRoutes()) {
    const missing = await call(route, {});
    assert.equal(missing.status, 401, label(route));
    assert.equal(missing.code ?? 'AUTH_REQUIRED', 'AUTH_REQUIRED', label(route));
    assert.equal(missing.challenge, 'Bearer realm="kiln"', label(route));
    for (const headers of wrong) {
      const refused = await call(route, headers);
      assert.deepEqual([refused.status, refused.code ?? 'AUTH_INVALID'], [401, 'AUTH_INVALID'], `${label(route)} ${headers.authorization.slice(0, 20)}`);
    }
    cases += 1 + wrong.length;
  }
  t.diagnostic(`${cases} cases tried on ${managementRoutes().length} routes`);
});

test('every /v1 route: 403 AUTH_SCOPE below its scope, past authentication with it', async (t) => {
  let cases = 0;
  for (const route of managementRoutes()) {
    for (const scope of SCOPES) {
      const answer = await call(route, { ...h.as[scope] });
      const allowed = SCOPES.indexOf(scope) >= SCOPES.indexOf(needed(route));
      if (allowed) assert.ok(answer.status !== 401 && answer.status !== 403, `${label(route)} with ${scope}: ${answer.status} ${answer.code}`);
      else assert.deepEqual([answer.status, answer.code ?? 'AUTH_SCOPE'], [403, 'AUTH_SCOPE'], `${label(route)} with ${scope}`);
      assert.ok(answer.status < 500, `${label(route)} with ${scope}: ${answer.status}`);
      cases += 1;
    }
    await h.reset();
  }
  t.diagnostic(`${cases} cases tried on ${managementRoutes().length} routes`);
});

test('an unknown /v1 path says nothing before a key', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
    const response = await h.app.inject({ method, url: '/v1/keys' });
    assert.deepEqual([response.statusCode, response.json<{ code: string }>().code], [401, 'AUTH_REQUIRED'], method);
  }
});

test('an OPTIONS request without a key is a CORS preflight: no handler runs, nothing is stored', async () => {
  const before = await h.snapshot();
  for (const route of h.routes.filter((candidate) => isManagementRoute(candidate.url))) {
    const url = fillParams(route.url, PARAMS);
    const bare = await h.app.inject({ method: 'OPTIONS', url });
    assert.equal(bare.headers['tus-resumable'], undefined, `${url}: tus did not answer`);
    assert.ok(bare.statusCode === 204 || bare.statusCode === 400, `${url}: ${bare.statusCode}`);
    const preflight = await h.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined, `${url}: no origin is allowed by default`);
  }
  assert.deepEqual(await h.snapshot(), before);
});
