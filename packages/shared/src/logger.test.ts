import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, moduleLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

test('module loggers write JSON lines that name the process and module', () => {
  const { stream, lines } = capture();
  const log = moduleLogger(createLogger({ name: 'worker', level: 'info', destination: stream }), 'segmenter', { videoId: 'v1' });
  log.info({ segment: 3 }, 'segment closed');
  log.debug('not written at info');
  const [line, ...rest] = lines();
  assert.equal(rest.length, 0);
  assert.equal(line?.name, 'worker');
  assert.equal(line?.module, 'segmenter');
  assert.equal(line?.videoId, 'v1');
  assert.equal(line?.segment, 3);
  assert.equal(line?.msg, 'segment closed');
});

test('credentials are redacted', () => {
  const { stream, lines } = capture();
  const log = createLogger({ name: 'api', level: 'info', destination: stream });
  log.info({ token: 'abc', req: { headers: { authorization: 'Bearer x' } } }, 'request');
  const [line] = lines();
  assert.equal(line?.token, '[redacted]');
  assert.deepEqual(line?.req, { headers: { authorization: '[redacted]' } });
});
