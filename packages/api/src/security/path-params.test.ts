/**
 * Every path parameter of every route (ids, tokens, rendition, segment file, the docs' static
 * files) under attack, each other parameter genuine so the hostile one meets the code that reads
 * it: always a 4xx with a stable code, nothing stored, and never a byte of a file outside the
 * storage root (a canary beside it, /etc/passwd) in a response.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpErrors, SharedErrors } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import { checkFuzz } from '@kiln/shared/testing';
import { HOSTILE_PATH_VALUES, PASSWD_LINE, hostilePathValue, leakForms, leaks } from '../testing/hostile-inputs.js';
import { genuineParams, routeRequest, type ParamValues } from '../testing/route-requests.js';
import { reportLoad } from '../testing/load-reports.js';
import { sendAsWritten } from '../testing/send.js';
import { paramNames, type RouteInfo } from '../testing/routes.js';
import { startSecurityHarness, type SecurityHarness } from '../testing/security-harness.js';

let h: SecurityHarness;
let base: string;
let genuine: ParamValues;
let secrets: Buffer[];
before(async () => {
  h = await startSecurityHarness();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  genuine = genuineParams(h.clock.now);
  secrets = [...leakForms(h.canary), PASSWD_LINE];
});
after(async () => h.stop());
beforeEach(async () => h.reset());

interface Target {
  readonly route: RouteInfo;
  readonly param: string;
}

/** Every (route, parameter) pair; OPTIONS is CORS's, checked in the auth matrix. */
function targets(): Target[] {
  return h.routes.filter((route) => route.method !== 'OPTIONS').flatMap((route) => paramNames(route.url).map((param) => ({ route, param })));
}

/** The codes Kiln defines; a framework's own (`FST_ERR_…`) would mean a refusal that bypassed the error handler. */
const STABLE_CODES = new Set([ApiErrors, SharedErrors, HttpErrors].flatMap((registry) => Object.keys(registry.specs)));
const BODY_FIELDS = new Set(['code', 'message', 'details']);

/**
 * A wildcard serves the files of a directory (`/docs/static/*`, swagger-ui's own, open to all):
 * a name that resolves inside it (`..` is `/docs/`) is found, not an attack. What it must never
 * do is fail or answer bytes from elsewhere.
 */
const servesFiles = (target: Target) => target.param === '*';

/** Why the answer to `value` in `target` is wrong, or undefined when it is a proper refusal. */
async function attack(target: Target, value: string): Promise<string | undefined> {
  const response = await sendAsWritten(h.app, base, routeRequest(h, target.route, genuine, { [target.param]: value }));
  const where = `${target.route.method} ${target.route.url} ${target.param}=${JSON.stringify(value.slice(0, 60))}`;
  const text = response.body.toString('utf8', 0, 200);
  if (leaks(response.body, secrets)) return `${where}: the response holds bytes of a file outside the storage`;
  if (servesFiles(target) && response.status < 500) return undefined;
  if (response.status < 400 || response.status >= 500) return `${where}: ${response.status} ${text}`;
  if (target.route.method === 'HEAD') return undefined;
  const body = String(response.headers['content-type']).startsWith('application/json') ? (JSON.parse(response.body.toString('utf8')) as Record<string, unknown>) : {};
  const stable = typeof body.code === 'string' && STABLE_CODES.has(body.code) && Object.keys(body).every((field) => BODY_FIELDS.has(field));
  return stable ? undefined : `${where}: no stable code in ${text}`;
}

test('the routes under attack include the playback, segment and upload parameters', () => {
  const names = new Set(targets().map((target) => `${target.route.url} ${target.param}`));
  for (const expected of ['/v1/videos/:id id', '/v1/uploads/:id id', '/play/:token/master.m3u8 token', '/play/:video/:session/:rendition/:file file']) {
    assert.ok(names.has(expected), expected);
  }
});

test('the genuine parameters pass, so each attack below changes one thing only', async () => {
  const segment = h.routes.find((route) => route.method === 'GET' && route.url.endsWith('/:file'));
  assert.ok(segment);
  await reportLoad(h.redis, h.keys, { id: 'w1', active: 0, capacity: 2 });
  const answer = await h.app.inject(routeRequest(h, segment, genuine));
  assert.equal(answer.statusCode, 200, answer.body);
});

test('hostile path parameters: a 4xx with a stable code, nothing stored, nothing read outside the storage', async (t) => {
  let cases = 0;
  for (const target of targets()) {
    const stored = await h.snapshot();
    const problems: string[] = [];
    for (const value of HOSTILE_PATH_VALUES) {
      const problem = await attack(target, value);
      if (problem !== undefined) problems.push(problem);
      cases += 1;
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(await h.snapshot(), stored, `${target.route.method} ${target.route.url}: nothing stored`);
  }
  t.diagnostic(`${cases} cases tried on ${targets().length} parameters`);
});

test('regression: tus\'s refusal of a hostile upload id is JSON with a stable code, not text/plain', async () => {
  const response = await h.app.inject({
    method: 'PATCH', url: '/v1/uploads/%2Fetc%2Fpasswd',
    headers: { ...h.as.upload, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, payload: 'bytes',
  });
  assert.equal(response.statusCode, 404);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  assert.equal(response.json<{ code: string }>().code, 'UPLOAD_NOT_FOUND');
});

test('regression: a path of bad escapes or a parameter past 4096 characters is BAD_REQUEST, the path not echoed', async () => {
  for (const [url, status] of [['/play/%AFx/master.m3u8', 400], [`/play/${'x'.repeat(5000)}/master.m3u8`, 414], ['/v1/videos/%C0%AE', 400]] as const) {
    const response = await h.app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, status, url.slice(0, 30));
    assert.deepEqual(Object.keys(response.json()), ['code', 'message']);
    assert.equal(response.json<{ code: string }>().code, 'BAD_REQUEST');
    assert.ok(!response.body.includes(url.slice(6, 30)), 'the path is not echoed');
  }
});

test('property: any path parameter is refused the same way', async (t) => {
  const stored = await h.snapshot();
  const property = fc.asyncProperty(fc.constantFrom(...targets()), hostilePathValue(), async (target, value) => {
    // A value that names a genuine thing (`0.ts`, `v1`, `v1?x=1`: a query is not part of the path) is no attack.
    if (value.split(/[?#]/)[0] === genuine[target.param]) return;
    const problem = await attack(target, value);
    assert.equal(problem, undefined, problem);
  });
  await checkFuzz(t, property, { runs: 400, timeLimitMs: 15_000 });
  assert.deepEqual(await h.snapshot(), stored, 'nothing stored');
});
