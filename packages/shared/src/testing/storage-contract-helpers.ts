import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SharedErrors } from '../errors.js';
import type { SharedErrorCode } from '../errors.js';

/** Chunk sizes that do not line up with any part or buffer size a driver uses. */
const CHUNK_SIZES = [1, 4093, 65_536, 1_000_003, 17, 262_147];

/**
 * `totalBytes` of deterministic noise (AES-CTR over zeros, so a failure reproduces), cut into
 * uneven chunks. The stream carries no length: drivers must handle bodies of unknown size.
 */
export function noiseStream(totalBytes: number, seed: number): Readable {
  return Readable.from(noiseChunks(totalBytes, seed));
}

export function* noiseChunks(totalBytes: number, seed: number): Generator<Buffer> {
  const key = createHash('sha256').update(`kiln-noise-${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  for (let sent = 0, index = 0; sent < totalBytes; index += 1) {
    const size = Math.min(CHUNK_SIZES[index % CHUNK_SIZES.length] ?? 1, totalBytes - sent);
    sent += size;
    yield cipher.update(Buffer.alloc(size));
  }
}

export function sha256Of(chunks: Iterable<Buffer>): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

export async function sha256OfStream(stream: Readable): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: hash.digest('hex'), size };
}

/** A stream that sends `prefixBytes` and then fails, like an ffmpeg that crashed mid-output. */
export function failingStream(prefixBytes: number): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(prefixBytes, 1);
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('the producer crashed');
    })(),
  );
}

export async function rejectsWithCode(action: () => Promise<unknown>, code: SharedErrorCode): Promise<void> {
  await assert.rejects(action, (error: unknown) => {
    assert.ok(SharedErrors.is(error, code), `expected ${code}, got ${String(error)}`);
    return true;
  });
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  for (let index = 0; index < items.length; index += limit) {
    await Promise.all(items.slice(index, index + limit).map(task));
  }
}
