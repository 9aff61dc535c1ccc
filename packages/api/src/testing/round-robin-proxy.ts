/**
 * A load balancer for tests of "no sticky routing": each request goes to the next of several API
 * nodes in turn. It can also cut one request's connection after some bytes of its body, as a
 * dropped mobile connection would, to test that an upload resumes from what was stored.
 */
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  readonly base: string;
  /** Which node (index) each request went to, in order, as `METHOD index`. */
  readonly routed: string[];
  /** The next request with a body is cut after this many of its bytes. */
  dropNextBodyAfter(bytes: number): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const routed: string[] = [];
  let dropAfter: number | undefined;
  const server: Server = createServer((incoming, outgoing) => {
    const target = new URL(targets[routed.length % targets.length] ?? '');
    routed.push(`${incoming.method ?? '?'} ${routed.length % targets.length}`);
    const cutAt = incoming.headers['content-length'] !== undefined && Number(incoming.headers['content-length']) > 0 ? dropAfter : undefined;
    if (cutAt !== undefined) dropAfter = undefined;
    relay(incoming, outgoing, target, cutAt);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    routed,
    dropNextBodyAfter: (bytes) => { dropAfter = bytes; },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function relay(incoming: IncomingMessage, outgoing: ServerResponse, target: URL, cutAt: number | undefined): void {
  const upstream = forward({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
    outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(outgoing);
  });
  upstream.on('error', () => outgoing.destroy());
  if (cutAt === undefined) {
    incoming.pipe(upstream);
    return;
  }
  let sent = 0;
  incoming.on('data', (chunk: Buffer) => {
    const room = cutAt - sent;
    sent += chunk.length;
    if (sent < cutAt) {
      upstream.write(chunk);
      return;
    }
    incoming.pause();
    // Both sides lose the connection, once the bytes before the cut are on their way.
    upstream.write(chunk.subarray(0, Math.max(0, room)), () => {
      upstream.destroy();
      incoming.socket.destroy();
    });
  });
}
