/**
 * A leg's main output reaches the worker in whole buffers, not a write per packet (BULK_OUTPUT):
 * every read wakes the worker. Real ffmpeg on a local file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { makeSource, silentLog } from '../testing/harness.js';
import { startLeg } from './leg.js';
import { probeSource } from './facts-cache.js';
import { findRendition } from './rendition.js';
import { localFileSource } from './source.js';

/** ffmpeg's output buffer for a pipe: what one bulk write carries. */
const BUFFER_BYTES = 32 * 1024;

let dir: string;
let path: string;

before(async () => {
  dir = await makeTempDir('leg-test');
  path = await makeSource(dir);
});
after(() => removeTempDir(dir));

async function countReads(stream: Readable): Promise<{ reads: number; bytes: number }> {
  let reads = 0;
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    reads += 1;
    bytes += chunk.length;
  }
  return { reads, bytes };
}

for (const split of [false, true]) {
  test(`a ${split ? 'split' : 'one-output'} leg's stdout comes in ~32 KiB writes: about one read per buffer, not one per packet`, async () => {
    const opener = localFileSource(() => path);
    const facts = await probeSource(opener, 'v');
    const rendition = findRendition(facts, 'desktop-180p');
    const leg = await startLeg({
      videoId: 'v', rendition, facts, opener, log: silentLog, threads: 0, preset: 'ultrafast',
      signal: new AbortController().signal, onSpawn: () => undefined, onExit: () => undefined,
    }, { from: 0, until: rendition.plan.segments.length }, split);
    assert.equal(leg.firstOutput !== undefined, split);
    const [main] = await Promise.all([countReads(leg.child.stdout!), leg.firstOutput === undefined ? undefined : countReads(leg.firstOutput)]);
    assert.equal(await leg.ended, undefined, 'ffmpeg exits 0');
    assert.ok(main.bytes > 20 * BUFFER_BYTES, `a minute of 180p is many buffers (${main.bytes} bytes)`);
    // A write per packet (ffmpeg's default for a pipe) is thousands of writes; the worker reads them
    // in hundreds of small reads however fast it is. Two reads per buffer leaves room for a split one.
    const buffers = Math.ceil(main.bytes / BUFFER_BYTES);
    assert.ok(main.reads <= 2 * buffers + 2, `${main.reads} reads for ${main.bytes} bytes (${buffers} buffers)`);
  });
}
