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
import { contentRange, ENDPOINT_SOCKET_BUFFER_BYTES, parseRangeHeader } from '../source/index.js';

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

async function serve(storage: ObjectStorage, source: Published, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const range = parseRangeHeader(request.headers.range, source.size);
  response.setHeader('accept-ranges', 'bytes');
  if (range.kind === 'unsatisfiable' || source.size === 0) {
    response.writeHead(416, { 'content-range': contentRange(undefined, source.size) }).end();
    return;
  }
  const { start, end } = range.kind === 'range' ? range : { start: 0, end: source.size };
  response.writeHead(range.kind === 'range' ? 206 : 200, {
    'content-type': 'video/mp4',
    'content-length': String(end - start),
    ...(range.kind === 'range' ? { 'content-range': contentRange(range, source.size) } : {}),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(await storage.getRange(source.key, { start, end: end - 1 }), response);
}

export async function startRangeServer(storage: ObjectStorage, log: Logger): Promise<RangeServer> {
  const published = new Map<string, Published>();
  const server = createServer({ highWaterMark: ENDPOINT_SOCKET_BUFFER_BYTES }, (request, response) => {
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
