import { Readable } from 'node:stream';
import type { PutBody } from './types.js';

/** Any put body as a stream, so the drivers have one path for all of them. */
export function toReadable(body: PutBody): Readable {
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([body]);
  return body;
}

/** Collects a stream into one buffer (for small objects: it is all held in memory). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** The first `limit` bytes of a stream; the rest is not read (the source is destroyed). */
export function takeBytes(source: Readable, limit: number): Readable {
  async function* firstBytes(): AsyncGenerator<Buffer> {
    let left = limit;
    for await (const chunk of source) {
      const bytes = chunk as Buffer;
      yield left < bytes.length ? bytes.subarray(0, left) : bytes;
      left -= bytes.length;
      if (left <= 0) return;
    }
  }
  return Readable.from(firstBytes(), { objectMode: false });
}
