/**
 * How much and how long the API's HTTP server takes from a client, so that a slow or silent client
 * cannot hold a socket and a large body cannot reach a JSON route.
 */
import type { FastifyServerOptions } from 'fastify';

/** Every JSON body the API takes is a few fields; uploads stream past this through their own parser. */
export const JSON_BODY_LIMIT = 16 * 1024;

export interface ServerTimeouts {
  /** Nothing moves on the connection for this long (a stalled body, a silent client): it is closed. */
  readonly idleMs: number;
  /** A request's headers must all arrive within this long; a half-sent header is answered 408 and closed. */
  readonly headersMs: number;
  /** An idle keep-alive connection is closed after this long: longer than load balancers' usual 60 s, so they close first. */
  readonly keepAliveMs: number;
  /** How often Node looks for connections past `headersMs`. */
  readonly checkIntervalMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { idleMs: 120_000, headersMs: 15_000, keepAliveMs: 72_000, checkIntervalMs: 2_000 };

type TimeoutOptions = Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & {
  http: { headersTimeout: number; connectionsCheckingInterval: number };
};

export function serverTimeoutOptions(given: Partial<ServerTimeouts> = {}): TimeoutOptions {
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...given };
  return {
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // No total time: Node's requestTimeout counts the whole body, and a large upload on a slow link
    // takes hours. The idle timeout cuts a body that stops; one that keeps moving goes on.
    requestTimeout: 0,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkIntervalMs },
  };
}
