/**
 * Resumable uploads (tus) with malformed headers, written raw on a socket so duplicates and empty
 * values reach the server as sent: negative, huge, fractional, non-numeric and repeated lengths
 * and offsets, bad Upload-Metadata, another Tus-Resumable, a PATCH of another content type. Each
 * is a 4xx (never a 5xx) that stores nothing: a refused creation leaves no upload, a refused PATCH
 * leaves the upload as it stood.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest, type RawAnswer } from '../testing/raw-http.js';
import { SECURITY_MAX_UPLOAD_BYTES, startSecurityHarness, type SecurityHarness } from '../testing/security-harness.js';

let h: SecurityHarness;
let base: string;
before(async () => {
  h = await startSecurityHarness();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => h.stop());
beforeEach(async () => h.reset());

type Headers = [string, string][];
interface Case {
  readonly name: string;
  readonly headers: Headers;
  readonly body?: Buffer;
  /** The exact status, when one is right; else any 4xx. */
  readonly status?: number;
  /** Refused by Node's HTTP parser before the app: no JSON body to read. */
  readonly parser?: true;
}

const TUS: Headers = [['Tus-Resumable', '1.0.0']];
const key = (): Headers => [['Authorization', String(h.as.upload.authorization)]];
const b64 = (text: string) => Buffer.from(text).toString('base64');

const CREATIONS: Case[] = [
  { name: 'negative length', headers: [...TUS, ['Upload-Length', '-1']], status: 400 },
  { name: 'length past 2^53', headers: [...TUS, ['Upload-Length', '9007199254740993']], status: 400 },
  { name: 'length of 20 digits', headers: [...TUS, ['Upload-Length', '99999999999999999999']], status: 400 },
  { name: '10 TB', headers: [...TUS, ['Upload-Length', String(10 * 1024 ** 4)]], status: 413 },
  { name: 'just past the limit', headers: [...TUS, ['Upload-Length', String(SECURITY_MAX_UPLOAD_BYTES + 1)]], status: 413 },
  { name: 'non-numeric length', headers: [...TUS, ['Upload-Length', 'ten']], status: 400 },
  { name: 'fractional length', headers: [...TUS, ['Upload-Length', '1.5']], status: 400 },
  { name: 'length with an exponent', headers: [...TUS, ['Upload-Length', '1e3']], status: 400 },
  { name: 'hex length', headers: [...TUS, ['Upload-Length', '0x10']], status: 400 },
  { name: 'empty length', headers: [...TUS, ['Upload-Length', '']], status: 400 },
  { name: 'zero length', headers: [...TUS, ['Upload-Length', '0']], status: 400 },
  { name: 'two lengths', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Length', '10']], status: 400 },
  { name: 'two different lengths', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Length', '99999']], status: 400 },
  { name: 'no length and no deferral', headers: [...TUS], status: 400 },
  { name: 'a deferral of 2', headers: [...TUS, ['Upload-Defer-Length', '2']], status: 400 },
  { name: 'length and deferral', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Defer-Length', '1']], status: 400 },
  { name: 'metadata not base64', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Metadata', 'filename !!not-base64!!']], status: 400 },
  { name: 'metadata key twice', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Metadata', `a ${b64('x')},a ${b64('y')}`]], status: 400 },
  { name: 'metadata key with a comma only', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Metadata', ',']], status: 400 },
  { name: 'metadata past the header limit', headers: [...TUS, ['Upload-Length', '10'], ['Upload-Metadata', `filename ${b64('x'.repeat(20_000))}`]], status: 431, parser: true },
  { name: 'Tus-Resumable 0.2.2', headers: [['Tus-Resumable', '0.2.2'], ['Upload-Length', '10']] },
  { name: 'Tus-Resumable 2.0.0', headers: [['Tus-Resumable', '2.0.0'], ['Upload-Length', '10']] },
  { name: 'Tus-Resumable empty', headers: [['Tus-Resumable', ''], ['Upload-Length', '10']] },
  { name: 'Tus-Resumable twice', headers: [...TUS, ...TUS, ['Upload-Length', '10']] },
  { name: 'negative Content-Length', headers: [...TUS, ['Upload-Length', '10'], ['Content-Length', '-1']], status: 400, parser: true },
  { name: 'two Content-Lengths', headers: [...TUS, ['Upload-Length', '10'], ['Content-Length', '1'], ['Content-Length', '2']], status: 400, parser: true },
];

const PATCHES: Case[] = [
  { name: 'negative offset', headers: [...TUS, ['Upload-Offset', '-1']], status: 400 },
  { name: 'offset past 2^53', headers: [...TUS, ['Upload-Offset', '9007199254740993']], status: 400 },
  { name: 'non-numeric offset', headers: [...TUS, ['Upload-Offset', 'zero']], status: 400 },
  { name: 'fractional offset', headers: [...TUS, ['Upload-Offset', '0.5']], status: 400 },
  { name: 'empty offset', headers: [...TUS, ['Upload-Offset', '']], status: 400 },
  // tus answers 403 here (its MISSING_OFFSET); any 4xx refuses.
  { name: 'no offset', headers: [...TUS] },
  { name: 'two offsets', headers: [...TUS, ['Upload-Offset', '0'], ['Upload-Offset', '0']], status: 400 },
  { name: 'an offset ahead of the upload', headers: [...TUS, ['Upload-Offset', '5']], status: 409 },
  { name: 'a length on a PATCH of a known length', headers: [...TUS, ['Upload-Offset', '0'], ['Upload-Length', '-1']], status: 400 },
  { name: 'Tus-Resumable 0.2.2', headers: [['Tus-Resumable', '0.2.2'], ['Upload-Offset', '0']] },
  { name: 'no Tus-Resumable', headers: [['Upload-Offset', '0']], status: 412 },
].map((patch) => ({ ...patch, headers: [...patch.headers, ['Content-Type', 'application/offset+octet-stream']] as Headers }));

const CONTENT_TYPES: Case[] = ['application/json', 'text/plain', '', 'application/offset+octet-stream; charset=utf-8', 'multipart/form-data; boundary=x']
  .map((type) => ({ name: `content type ${JSON.stringify(type)}`, headers: [...TUS, ['Upload-Offset', '0'], ['Content-Type', type]] }));

async function send(method: string, path: string, item: Case): Promise<RawAnswer> {
  const body = item.body ?? (method === 'PATCH' ? Buffer.from('0123456789') : Buffer.alloc(0));
  const length: Headers = item.headers.some(([name]) => name === 'Content-Length') ? [] : [['Content-Length', String(body.length)]];
  return rawRequest(base, method, path, [...key(), ...item.headers, ...length], body);
}

function assertRefused(answer: RawAnswer, item: Case): void {
  const where = `${item.name}: ${answer.status} ${answer.body.slice(0, 200)}`;
  if (item.status !== undefined) assert.equal(answer.status, item.status, where);
  assert.ok(answer.status >= 400 && answer.status < 500, where);
  if (item.parser === undefined) {
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/, where);
    assert.match((JSON.parse(answer.body) as { code: string }).code, /^[A-Z][A-Z0-9_]+$/, where);
  }
}

async function createUpload(size: number): Promise<string> {
  const answer = await send('POST', '/v1/videos', { name: 'create', headers: [...TUS, ['Upload-Length', String(size)]] });
  assert.equal(answer.status, 201, answer.body);
  return answer.headers.location?.split('/').pop() ?? '';
}

test('a malformed creation is a 4xx and leaves no upload, record or object', async (t) => {
  for (const item of CREATIONS) {
    const stored = await h.snapshot();
    assertRefused(await send('POST', '/v1/videos', item), item);
    assert.deepEqual(await h.snapshot(), stored, `${item.name}: nothing stored`);
  }
  t.diagnostic(`${CREATIONS.length} cases tried`);
});

test('a malformed PATCH or HEAD is a 4xx and leaves the upload as it stood', async (t) => {
  const id = await createUpload(10);
  const stored = await h.snapshot();
  const cases = [...PATCHES, ...CONTENT_TYPES];
  for (const item of cases) {
    assertRefused(await send('PATCH', `/v1/uploads/${id}`, item), item);
    assert.deepEqual(await h.snapshot(), stored, `${item.name}: the upload is unchanged`);
  }
  for (const item of [{ name: 'HEAD with Tus-Resumable 2.0.0', headers: [['Tus-Resumable', '2.0.0']] as Headers }, { name: 'HEAD without Tus-Resumable', headers: [] }]) {
    const answer = await send('HEAD', `/v1/uploads/${id}`, item);
    assert.ok(answer.status >= 400 && answer.status < 500, `${item.name}: ${answer.status}`);
  }
  assert.deepEqual(await h.snapshot(), stored);
  const done = await send('PATCH', `/v1/uploads/${id}`, { name: 'the genuine PATCH', headers: [...TUS, ['Upload-Offset', '0'], ['Content-Type', 'application/offset+octet-stream']] });
  assert.equal(done.status, 204, 'the upload still takes its bytes');
  t.diagnostic(`${cases.length + 2} cases tried`);
});

test('a creation whose body is longer than its Upload-Length keeps the upload tus created, and none of the bytes', async () => {
  const files = (await h.snapshot()).files;
  const answer = await send('POST', '/v1/videos', {
    name: 'long body', headers: [...TUS, ['Upload-Length', '3'], ['Content-Type', 'application/offset+octet-stream']], body: Buffer.alloc(10, 1),
  });
  assert.equal(answer.status, 413, answer.body);
  assert.equal((JSON.parse(answer.body) as { code: string }).code, 'UPLOAD_TOO_LARGE');
  const [id] = await h.redis.zrange(h.keys.resumableUploads(), '0', '-1');
  assert.ok(id !== undefined, 'tus made the upload before reading the body: it stays, resumable, until it expires');
  assert.deepEqual(await h.redis.hmget(h.keys.resumableUpload(id), 'size', 'offset', 'parts'), ['3', '0', '0']);
  assert.deepEqual((await h.snapshot()).files, files, 'no byte of the body was kept');
});

test('regression: tus\'s own refusals (bad Upload-Length, no Tus-Resumable) are JSON with a stable code', async () => {
  const bad = await send('POST', '/v1/videos', { name: 'bad', headers: [...TUS, ['Upload-Length', '-1']] });
  assert.deepEqual([bad.status, bad.headers['content-type'], JSON.parse(bad.body)], [400, 'application/json; charset=utf-8', { code: 'BAD_REQUEST', message: 'Invalid upload-length' }]);
  const id = await createUpload(10);
  const bare = await send('PATCH', `/v1/uploads/${id}`, { name: 'bare', headers: [['Upload-Offset', '0'], ['Content-Type', 'application/offset+octet-stream']] });
  assert.deepEqual([bare.status, (JSON.parse(bare.body) as { code: string }).code], [412, 'BAD_REQUEST']);
  assert.equal(bare.headers['tus-resumable'], '1.0.0', 'tus\'s own headers are kept');
});
