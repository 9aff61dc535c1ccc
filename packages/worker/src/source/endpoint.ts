/**
 * The view over loopback HTTP with Range support, so that ffmpeg can seek in it: it reads the moov,
 * then asks for the bytes from the keyframe it wants onward, and the source is read only there.
 * One server per transcode, bound to 127.0.0.1 on a port the OS picks, closed after.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { contentRange, parseRangeHeader } from './http-range.js';
import type { FastStartPlan } from './plan.js';
import type { RangeReader } from './range-reader.js';
import { createViewStream } from './view.js';

/** A response's first read: small, so one ffmpeg abandons after the moov wastes little. */
export const ENDPOINT_CHUNK_BYTES = 64 * 1024;
/**
 * Once a response has streamed ENDPOINT_GROW_AFTER_BYTES (ffmpeg is reading on, not probing before
 * a seek), its reads grow to ENDPOINT_MAX_CHUNK_BYTES, or, from a reader that can stream, the rest
 * of the media comes in one request: a sequential read is not 64 KiB S3 requests.
 */
export const ENDPOINT_MAX_CHUNK_BYTES = 1024 * 1024;
export const ENDPOINT_GROW_AFTER_BYTES = 2 * 1024 * 1024;

export interface ViewEndpoint {
  /** `http://127.0.0.1:PORT/source.mp4` */
  readonly url: string;
  /** How many requests were answered: a seek shows up as a second one. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export interface ViewEndpointOptions {
  readonly chunkBytes?: number;
  readonly maxChunkBytes?: number;
  /** Defaults to ENDPOINT_GROW_AFTER_BYTES; 0 for a reader that will not seek away. */
  readonly growAfterBytes?: number;
  /**
   * For a reader told to seek (`-ss` before `-i`): ffmpeg reads the moov and a few packets from
   * the start, then asks for the keyframe's position in a new request. Loopback TCP buffers take
   * megabytes of the first response before backpressure bites, all of it wasted. So a response
   * pauses at `at` until the client hangs up (it seeked) or `ms` passes (it did not).
   */
  readonly seekHold?: { readonly at: number; readonly ms: number };
}

/** Media after the moov a seeking ffmpeg may read first (stream info): 1 MiB is many frames. */
export const SEEK_HOLD_MEDIA_BYTES = 1024 * 1024;
export const SEEK_HOLD_MS = 300;

/** The hold for a view whose moov ends at `moovEndInView`. */
export function seekHold(moovEndInView: number): { at: number; ms: number } {
  return { at: moovEndInView + SEEK_HOLD_MEDIA_BYTES, ms: SEEK_HOLD_MS };
}

/**
 * The sockets' write buffer: at Node's default (16 KiB) every 64 KiB chunk from storage stopped the
 * read for a drain, so a long source paused and resumed about once per chunk; at 1 MiB a handful,
 * and the relay costs the worker less CPU.
 */
export const ENDPOINT_SOCKET_BUFFER_BYTES = 1024 * 1024;

export async function serveView(plan: FastStartPlan, reader: RangeReader, options: ViewEndpointOptions = {}): Promise<ViewEndpoint> {
  let requests = 0;
  // One transcode reads through one connection at a time: a new request means the older ones are abandoned.
  const inFlight = new Set<ServerResponse>();
  const server = createServer({ highWaterMark: ENDPOINT_SOCKET_BUFFER_BYTES }, (request, response) => {
    requests++;
    for (const older of inFlight) older.destroy();
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    answer(request, response, {
      plan, reader, seekHold: options.seekHold,
      chunkBytes: options.chunkBytes ?? ENDPOINT_CHUNK_BYTES,
      maxChunkBytes: options.maxChunkBytes ?? ENDPOINT_MAX_CHUNK_BYTES,
      growAfterBytes: options.growAfterBytes ?? ENDPOINT_GROW_AFTER_BYTES,
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/source.mp4`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Served {
  readonly plan: FastStartPlan;
  readonly reader: RangeReader;
  readonly chunkBytes: number;
  readonly maxChunkBytes: number;
  readonly growAfterBytes: number;
  readonly seekHold: { readonly at: number; readonly ms: number } | undefined;
}

function answer(request: IncomingMessage, response: ServerResponse, served: Served): void {
  const { plan } = served;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const range = parseRangeHeader(request.headers.range, plan.size);
  const headers = { 'accept-ranges': 'bytes', 'content-type': 'video/mp4' };
  if (range.kind === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'content-range': contentRange(undefined, plan.size) }).end();
    return;
  }
  const { start, end } = range.kind === 'range' ? range : { start: 0, end: plan.size };
  response.writeHead(range.kind === 'range' ? 206 : 200, {
    ...headers,
    'content-length': String(end - start),
    ...(range.kind === 'range' ? { 'content-range': contentRange(range, plan.size) } : {}),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  // A client that hangs up early (ffmpeg seeking) ends the stream with an error: that is normal.
  sendBody(response, served, start, end).catch(() => response.destroy());
}

async function sendBody(response: ServerResponse, served: Served, start: number, end: number): Promise<void> {
  const { seekHold: hold } = served;
  const pauseAt = hold === undefined ? undefined : { offset: hold.at, until: () => closedOrTimeout(response, hold.ms) };
  const { chunkBytes, maxChunkBytes, growAfterBytes } = served;
  await pipeline(createViewStream(served.plan, served.reader, { start, end, chunkBytes, maxChunkBytes, growAfterBytes, ...(pauseAt === undefined ? {} : { pauseAt }) }), response);
}

function closedOrTimeout(response: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    response.once('close', done);
  });
}
