import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { defineErrors } from '../errors.js';
import { createLogger } from '../logger.js';
import { installErrorHandler, type ErrorPolicy } from './error-handler.js';

const Errors = defineErrors({
  FULL: { httpStatus: 503, message: 'full' },
  SLOW: { httpStatus: 504, message: 'slow' },
  BROKEN: { httpStatus: 502, message: 'broken' },
  GONE: { httpStatus: 404, message: 'gone' },
});

interface Logged {
  readonly level: number;
  readonly msg: string;
  readonly err?: { readonly message: string };
}

/** An app with the shared handler and routes that fail in every way, and the failures it logged. */
function build(policy?: ErrorPolicy): { app: FastifyInstance; failures: () => Logged[]; abandoned: () => Logged[]; lines: () => Logged[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  // Typed as fastify's base logger so the instance keeps its default generics.
  const log: FastifyBaseLogger = createLogger({ name: 'test', level: 'info', destination });
  const app = Fastify({ loggerInstance: log });
  installErrorHandler(app, policy);
  for (const code of ['FULL', 'SLOW', 'BROKEN', 'GONE'] as const) {
    app.get(`/${code}`, () => {
      throw Errors.create(code, undefined, { details: { why: code } });
    });
  }
  app.get('/foreign', () => {
    throw new Error('database password is hunter2');
  });
  app.post('/typed', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, () => ({}));
  app.post('/small', { bodyLimit: 64 }, () => ({}));
  // Fails once its client has gone: what a segment route's aborted wait on a worker does.
  app.get('/abandoned', async (request) => {
    app.log.info('waiting on the client');
    await new Promise((resolve) => request.raw.socket.once('close', resolve));
    throw new DOMException('This operation was aborted', 'AbortError');
  });
  const lines = () => chunks.join('').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Logged);
  const failures = () => lines().filter((line) => line.msg === 'request failed');
  const abandoned = () => lines().filter((line) => line.msg === 'request abandoned by its client');
  return { app, failures, abandoned, lines };
}

const WARN = 40;
const ERROR = 50;

test('unknown routes are 404 ROUTE_NOT_FOUND naming the path without its query', async () => {
  const { app } = build();
  const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { code: 'ROUTE_NOT_FOUND', message: 'no route GET /nope' });
  await app.close();
});

test('a request the schema refuses is 400 BAD_REQUEST with fastify\'s reason', async () => {
  const { app, failures } = build();
  const response = await app.inject({ method: 'POST', url: '/typed', payload: { n: 'seven' } });
  assert.equal(response.statusCode, 400);
  const body = response.json<{ code: string; message: string }>();
  assert.equal(body.code, 'BAD_REQUEST');
  assert.match(body.message, /integer/);
  assert.deepEqual(failures(), []);
  await app.close();
});

test('fastify\'s other 4xx keep their status under BAD_REQUEST', async () => {
  const { app } = build();
  const response = await app.inject({ method: 'POST', url: '/typed', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' });
  assert.deepEqual([response.statusCode, response.json<{ code: string }>().code], [415, 'BAD_REQUEST']);
  await app.close();
});

test('a body over the route\'s limit is 413 BODY_TOO_LARGE naming the limit; the app goes on', async () => {
  const { app, failures } = build();
  const response = await app.inject({ method: 'POST', url: '/small', payload: { text: 'x'.repeat(1024 * 1024) } });
  assert.deepEqual([response.statusCode, response.json()], [413, { code: 'BODY_TOO_LARGE', message: 'the request body is larger than this route accepts (64 bytes)' }]);
  assert.equal((await app.inject({ method: 'POST', url: '/small', payload: { n: 1 } })).statusCode, 200);
  assert.deepEqual(failures(), []);
  await app.close();
});

test('the policy\'s review may answer another error, with its headers', async () => {
  const { app } = build({
    review: (error, _request, reply) => {
      if (error.code !== 'GONE') return Promise.resolve(error);
      void reply.header('retry-after', '7');
      return Promise.resolve(Errors.create('FULL'));
    },
  });
  const reviewed = await app.inject({ method: 'GET', url: '/GONE' });
  assert.deepEqual([reviewed.statusCode, reviewed.json<{ code: string }>().code, reviewed.headers['retry-after']], [503, 'FULL', '7']);
  assert.equal((await app.inject({ method: 'GET', url: '/BROKEN' })).statusCode, 502);
  await app.close();
});

test('KilnErrors keep their code and status; 4xx answer their details, 5xx do not', async () => {
  const { app } = build();
  const gone = await app.inject({ method: 'GET', url: '/GONE' });
  assert.deepEqual([gone.statusCode, gone.json()], [404, { code: 'GONE', message: 'gone', details: { why: 'GONE' } }]);
  const broken = await app.inject({ method: 'GET', url: '/BROKEN' });
  assert.deepEqual([broken.statusCode, broken.json()], [502, { code: 'BROKEN', message: 'broken' }]);
  await app.close();
});

test('the policy\'s Retry-After goes with its codes only', async () => {
  const { app } = build({ retryAfterSeconds: { FULL: 2 } });
  assert.equal((await app.inject({ method: 'GET', url: '/FULL' })).headers['retry-after'], '2');
  assert.equal((await app.inject({ method: 'GET', url: '/SLOW' })).headers['retry-after'], undefined);
  await app.close();
});

test('5xx refusals the policy names are logged at warn, other 5xx at error, 4xx not at all', async () => {
  const { app, failures } = build({ refusalStatuses: [503, 504] });
  for (const code of ['FULL', 'SLOW', 'BROKEN', 'GONE']) await app.inject({ method: 'GET', url: `/${code}` });
  assert.deepEqual(failures().map((line) => [line.err?.message, line.level]), [['full', WARN], ['slow', WARN], ['broken', ERROR]]);
  await app.close();
});

test('without a policy every 5xx is a fault', async () => {
  const { app, failures } = build();
  await app.inject({ method: 'GET', url: '/FULL' });
  assert.deepEqual(failures().map((line) => line.level), [ERROR]);
  await app.close();
});

test('any other error is 500 INTERNAL: logged whole, answered without detail', async () => {
  const { app, failures } = build();
  const response = await app.inject({ method: 'GET', url: '/foreign' });
  assert.equal(response.statusCode, 500);
  assert.deepEqual(response.json(), { code: 'INTERNAL', message: 'something went wrong on our side' });
  assert.deepEqual(failures().map((line) => [line.err?.message, line.level]), [['database password is hunter2', ERROR]]);
  await app.close();
});

test('a request whose client went away first is logged as abandoned, not as a failure', async () => {
  const { app, failures, abandoned, lines } = build();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const client = new AbortController();
    const asked = fetch(`${address}/abandoned`, { signal: client.signal }).catch(() => undefined);
    const waiting = () => lines().some((line) => line.msg === 'waiting on the client');
    for (let i = 0; i < 200 && !waiting(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    await asked;
    const logged = () => abandoned().length + failures().length > 0;
    for (let i = 0; i < 200 && !logged(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(abandoned().length, 1);
    assert.deepEqual(failures(), []);
  } finally {
    await app.close();
  }
});
