/**
 * A loopback HTTP endpoint that serves objects from storage by byte range, for ffmpeg to read and
 * seek in. Each opened source gets an unguessable path that is withdrawn when the run ends, so
 * ffmpeg (and nothing else on the machine) reads exactly the object it was given.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Logger, ObjectStorage } from '@kiln/shared';

export interface RangeServer {
  /** A URL serving `key` (of `size` bytes) until withdrawn. */
  publish(key: string, size: number): string;
  withdraw(url: string): void;
  close(): Promise<void>;
}

interface Published {
  readonly key: string;
  readonly size: number;
}

/** `bytes=a-b` / `bytes=a-` / `bytes=-n` → inclusive [start, end], or undefined when unsatisfiable. */
export function parseRangeHeader(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return size === 0 ? undefined : { start: 0, end: size - 1 };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? undefined : { start: size - suffix, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start < size && start <= end ? { start, end } : undefined;
}

async function serve(storage: ObjectStorage, source: Published, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const range = parseRangeHeader(request.headers.range, source.size);
  response.setHeader('accept-ranges', 'bytes');
  if (range === undefined) {
    response.writeHead(416, { 'content-range': `bytes */${source.size}` }).end();
    return;
  }
  response.writeHead(request.headers.range === undefined ? 200 : 206, {
    'content-type': 'video/mp4',
    'content-length': String(range.end - range.start + 1),
    ...(request.headers.range === undefined ? {} : { 'content-range': `bytes ${range.start}-${range.end}/${source.size}` }),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(await storage.getRange(source.key, range), response);
}

export async function startRangeServer(storage: ObjectStorage, log: Logger): Promise<RangeServer> {
  const published = new Map<string, Published>();
  const server = createServer((request, response) => {
    const source = published.get(request.url ?? '');
    if (source === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404).end();
      return;
    }
    serve(storage, source, request, response).catch((error: unknown) => {
      // ffmpeg closes the connection whenever it seeks: a premature close is normal.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err: error, key: source.key }, 'range read failed');
      response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const pathOf = (url: string) => url.slice(`http://127.0.0.1:${port}`.length);
  return {
    publish: (key, size) => {
      const path = `/source/${randomBytes(16).toString('hex')}`;
      published.set(path, { key, size });
      return `http://127.0.0.1:${port}${path}`;
    },
    withdraw: (url) => {
      published.delete(pathOf(url));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
