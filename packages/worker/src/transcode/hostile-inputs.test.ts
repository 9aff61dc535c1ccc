/**
 * Crafted sources through a transcode run's real input arguments (real ffmpeg): from a local file,
 * and from storage through the worker's loopback range endpoint, where http is an allowed
 * protocol, so only the demuxer list keeps a playlist from fetching the URLs it names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsStorage, rational, sourceObjectKey, spawnFfmpeg, type ObjectStorage } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { silentLog } from '../testing/harness.js';
import { holdsCanary, startCanary, writeHostileInputs, type Canary, type HostileInput } from '../testing/hostile-inputs.js';
import { inputArgs, type InputSpec } from './ffmpeg-args.js';
import { startRangeServer, type RangeServer } from './range-server.js';
import { localFileSource, storageRangeSource, type SourceOpener } from './source.js';

let dir: string;
let canary: Canary;
let inputs: HostileInput[];
let storage: ObjectStorage;
let server: RangeServer;

before(async () => {
  dir = await makeTempDir('kiln-hostile-transcode-');
  canary = await startCanary(dir);
  inputs = await writeHostileInputs(dir, canary);
  storage = createFsStorage({ root: join(dir, 'storage') });
  for (const input of inputs) await storage.put(sourceObjectKey(input.name), await readFile(input.path));
  server = await startRangeServer(storage, silentLog);
});
after(async () => {
  await server.close();
  await canary.close();
  await removeTempDir(dir);
});

interface Outcome {
  readonly failed: boolean;
  readonly stdout: Buffer;
}

/** A stream copy of everything the input yields: what a run would get to read. */
async function copyThrough(input: InputSpec): Promise<Outcome> {
  const child = spawnFfmpeg([...inputArgs(input, rational(0)), '-map', '0', '-c', 'copy', '-f', 'mpegts', 'pipe:1']);
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const failed = await child.done.then(() => false, () => true);
  return { failed, stdout: Buffer.concat(chunks) };
}

async function throughOpener(opener: SourceOpener, input: HostileInput, formats?: readonly string[]): Promise<Outcome> {
  const source = await opener.open(input.name);
  try {
    return await copyThrough(formats === undefined ? source.input : { ...source.input, formats });
  } finally {
    await source.close();
  }
}

test('control: through the loopback endpoint with the protocol list alone, a playlist fetches the URL it names', async () => {
  const source = await storageRangeSource(storage, server).open('hls-http-disguised.mp4');
  try {
    const { protocols, url } = source.input;
    const child = spawnFfmpeg(['-v', 'error', '-protocol_whitelist', protocols.join(','), '-i', url, '-map', '0', '-c', 'copy', '-f', 'mpegts', 'pipe:1']);
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    await child.done;
    assert.ok(holdsCanary(Buffer.concat(chunks), canary), 'the canary was copied out');
  } finally {
    await source.close();
  }
  assert.deepEqual(canary.requests, ['GET /canary.ts']);
  canary.requests.length = 0;
});

/** Each input a run read something from: it did not fail, or it copied bytes (the canary's or any) out. */
async function readThrough(opener: SourceOpener): Promise<string[]> {
  const read: string[] = [];
  for (const input of inputs) {
    const outcome = await throughOpener(opener, input);
    if (!outcome.failed || outcome.stdout.length > 0) read.push(`${input.name}${holdsCanary(outcome.stdout, canary) ? ' (canary)' : ''}`);
  }
  return read;
}

test('a run reading a crafted local file fails and copies nothing out', async () => {
  assert.deepEqual(await readThrough(localFileSource((name) => join(dir, name))), []);
  assert.deepEqual(canary.requests, []);
});

test('a run reading a crafted source through the loopback endpoint fails and reaches no URL', async () => {
  assert.deepEqual(await readThrough(storageRangeSource(storage, server)), []);
  assert.deepEqual(canary.requests, []);
});
