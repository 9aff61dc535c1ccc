import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { Spool } from './spool.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString();
}

test('a spool reads at once, then gives back what it kept and the rest of the stream, in order', async () => {
  const stream = new PassThrough({ highWaterMark: 4 });
  const spool = new Spool(stream, 1024);
  // Far past the stream's own buffer: without the spool reading, these writes would wait.
  for (const word of ['one ', 'two ', 'three ', 'four ']) assert.equal(stream.write(word), true);
  await tick();
  const replay = spool.release();
  stream.end('five');
  assert.equal(await collect(replay), 'one two three four five');
  assert.throws(() => spool.release(), /released once/);
});

test('a stream that ended while spooled is given back whole', async () => {
  const stream = new PassThrough();
  const spool = new Spool(stream, 1024);
  stream.end('all of it');
  await new Promise((resolve) => stream.once('end', resolve));
  assert.equal(await collect(spool.release()), 'all of it');
});

test('past its bound a spool says so; closed, it closes the stream', async () => {
  const stream = new PassThrough();
  const spool = new Spool(stream, 8);
  stream.write('12345');
  await tick();
  let overflowed = false;
  spool.overflowed.catch(() => (overflowed = true));
  await tick();
  assert.equal(overflowed, false);
  stream.write('67890');
  await assert.rejects(spool.overflowed, (error) => error === spool.overflowError);
  spool.close();
  assert.equal(stream.destroyed, true);
});

test('an error while spooled is not lost: reading after the release throws it', async () => {
  const stream = new PassThrough();
  const spool = new Spool(stream, 1024);
  stream.write('before ');
  await tick();
  stream.destroy(new Error('pipe broke'));
  await tick();
  await assert.rejects(collect(spool.release()), /pipe broke/);
});

test('a reader that stops before the end leaves no stream open: closing the spool after its release closes it', async () => {
  const stream = new PassThrough();
  const spool = new Spool(stream, 1024);
  stream.write('kept ');
  await tick();
  stream.write('more ');
  const replay = spool.release()[Symbol.asyncIterator]();
  assert.equal(Buffer.from((await replay.next()).value as Uint8Array).toString(), 'kept ');
  await replay.return!(undefined); // a run stopped while its first kept chunk was being read
  spool.close();
  // An unread, unclosed pipe would keep ffmpeg's 'close' (and the run's end) from ever coming.
  assert.equal(stream.destroyed, true);
});
