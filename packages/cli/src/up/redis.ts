import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort, isRedisProcess } from '@kiln/shared';
import type { Supervisor, SupervisedChild } from './supervisor.js';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 10_000;

/**
 * `kiln up`'s own Redis: loopback only, a free port (never 6379, so a system Redis is never
 * touched), data under the data directory with an append-only file so videos survive a restart,
 * and `noeviction`, which BullMQ requires.
 */
export function privateRedisArgs(port: number, dir: string): string[] {
  return [
    '--port', String(port), '--bind', HOST, '--protected-mode', 'yes', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--loglevel', 'warning',
    '--logfile', join(dir, 'redis.log'),
  ];
}

export async function startPrivateRedis(supervisor: Supervisor, dataDir: string): Promise<{ url: string; child: SupervisedChild }> {
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const port = await findFreePort();
    const child = supervisor.start({ name: 'redis', command: 'redis-server', args: privateRedisArgs(port, dir), env: {}, stopLast: true });
    const url = `redis://${HOST}:${port}`;
    if (await waitUntilAnswering(port, child)) return { url, child };
    // The port was taken between our check and redis-server's bind: try another.
  }
  throw new Error('redis-server did not start; is it installed (deploy/install-deps.sh)?');
}

/** Our redis-server answers (checked by its pid: another Redis that took the port is not ours), or it exited. */
async function waitUntilAnswering(port: number, child: SupervisedChild): Promise<boolean> {
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await isRedisProcess(HOST, port, child.pid)) return true;
    await delay(100);
  }
  return false;
}
