import { createServer } from 'node:net';

/** Redis's default port: a system Redis may be there, so Kiln never takes it. */
const RESERVED_PORTS: ReadonlySet<number> = new Set([6379]);

/** A loopback port that was free a moment ago (whoever binds it must handle losing the race). */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await bindThenRelease(host, 0);
    if (port !== undefined && !RESERVED_PORTS.has(port)) return port;
  }
}

/** True when nothing listens on `port`. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await bindThenRelease(host, port)) !== undefined;
}

function bindThenRelease(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
