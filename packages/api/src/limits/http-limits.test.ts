/**
 * The HTTP server against slow, silent and oversized clients, over real sockets: a half-sent header
 * or a body that stops is cut, an upload that keeps moving is not, and a large JSON body is 413.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { AS_ADMIN, startUploadHarness, type UploadHarness } from '../testing/harness.js';
import { JSON_BODY_LIMIT } from './http-limits.js';

let harness: UploadHarness;
let port: number;
const TIMEOUTS = { headersMs: 300, idleMs: 600, checkIntervalMs: 100 };
/** Node's defaults would hold these sockets for a minute or more. */
const GIVE_UP_MS = 4000;

before(async () => {
  harness = await startUploadHarness();
  const app = harness.h.build({}, { uploads: { queue: harness.queue, maxBytes: 1024 * 1024 }, timeouts: TIMEOUTS });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
after(() => harness.stop());
beforeEach(() => harness.reset());

/** A raw connection and, once the server ends it, what it answered and after how long. */
async function rawClient(): Promise<{ socket: Socket; closed: Promise<{ ms: number; answer: string }> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  // A server that never closes fails the test in bounded time instead of hanging it.
  const deadline = setTimeout(() => socket.destroy(), GIVE_UP_MS);
  const closed = once(socket, 'close').then(() => {
    clearTimeout(deadline);
    return { ms: Date.now() - started, answer };
  });
  return { socket, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const authorization = AS_ADMIN.authorization;

test('half a header, then nothing: the server answers 408 and closes the socket', async () => {
  const { socket, closed } = await rawClient();
  socket.write('GET /health HTTP/1.1\r\nHost: kiln.test\r\nX-Slow: ');
  const { ms, answer } = await closed;
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.ok(ms >= TIMEOUTS.headersMs && ms < 2000, `closed after ${ms} ms`);
});

test('a connection that never sends a byte is closed', async (t) => {
  const { closed } = await rawClient();
  const { ms } = await closed;
  t.diagnostic(`a silent connection was closed after ${ms} ms`);
  assert.ok(ms < 2000, `closed after ${ms} ms`);
});

test('a body that stops halfway is cut once nothing moves for the idle timeout', async () => {
  const { socket, closed } = await rawClient();
  const head = `POST /v1/videos HTTP/1.1\r\nHost: kiln.test\r\nAuthorization: ${authorization}\r\nContent-Type: video/mp4\r\nContent-Length: 1000\r\n\r\n`;
  socket.write(head + 'x'.repeat(100));
  const { ms } = await closed;
  assert.ok(ms >= TIMEOUTS.idleMs && ms < 3000, `closed after ${ms} ms`);
});

test('an upload that keeps sending, slowly, past every timeout, is received whole', async () => {
  const { socket, closed } = await rawClient();
  const chunks = 12;
  const chunk = 'y'.repeat(100);
  socket.write(`POST /v1/videos HTTP/1.1\r\nHost: kiln.test\r\nAuthorization: ${authorization}\r\nContent-Type: video/mp4\r\nContent-Length: ${chunks * chunk.length}\r\nConnection: close\r\n\r\n`);
  const started = Date.now();
  for (let i = 0; i < chunks; i += 1) {
    await sleep(200);
    socket.write(chunk);
  }
  const { answer } = await closed;
  assert.ok(Date.now() - started > 2 * TIMEOUTS.idleMs, 'the body took longer than the idle timeout');
  assert.match(answer, /^HTTP\/1\.1 202/, answer.split('\r\n')[0]);
});

test('a 1 MiB JSON body for a playback link is 413 BODY_TOO_LARGE, declared or streamed; the API goes on', async () => {
  const url = `http://127.0.0.1:${port}/v1/videos/v1/playback`;
  const headers = { ...AS_ADMIN, 'content-type': 'application/json' };
  const big = JSON.stringify({ profile: 'mobile', padding: 'z'.repeat(1024 * 1024) });
  const declared = await fetch(url, { method: 'POST', headers, body: big });
  assert.deepEqual([declared.status, await declared.json()], [413, { code: 'BODY_TOO_LARGE', message: `the request body is larger than this route accepts (${JSON_BODY_LIMIT} bytes)` }]);
  const streamed = await fetch(url, { method: 'POST', headers, body: new Blob([big]).stream(), duplex: 'half' });
  assert.equal(streamed.status, 413);
  assert.equal(((await streamed.json()) as { code: string }).code, 'BODY_TOO_LARGE');
  const fine = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ profile: 'mobile' }) });
  assert.equal(fine.status, 201);
});
