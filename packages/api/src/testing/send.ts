/**
 * A request sent as written. `app.inject()` parses its URL as a browser does (WHATWG), which
 * resolves `%2e` and `..` segments and turns `\` into `/` before the server sees the path; an
 * attacker's client does none of that. Such paths go over a socket to the listening app instead.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { rawRequest } from './raw-http.js';

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: Buffer;
}

/** True when the injector would send `url` as it is written. */
export function injectKeepsPath(url: string): boolean {
  try {
    const parsed = new URL(url, 'http://localhost');
    return `${parsed.pathname}${parsed.search}${parsed.hash}` === url;
  } catch {
    return false;
  }
}

/** `options.url` must be a path; `base` is where `app` listens. */
export async function sendAsWritten(app: FastifyInstance, base: string, options: InjectOptions & { url: string }): Promise<Answer> {
  if (injectKeepsPath(options.url)) {
    const response = await app.inject(options);
    return { status: response.statusCode, headers: response.headers, body: response.rawPayload };
  }
  const body = options.payload === undefined ? Buffer.alloc(0) : Buffer.from(options.payload as string | Buffer);
  const headers = Object.entries({ ...options.headers, 'content-length': String(body.length) })
    .flatMap(([name, value]): [string, string][] => (value === undefined ? [] : [[name, String(value)]]));
  const answer = await rawRequest(base, options.method ?? 'GET', options.url, headers, body);
  return { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body, 'latin1') };
}
