import { spawn } from 'node:child_process';
import { captureOutput, detachFromEventLoop, reportUnexpectedExit, stopChild, trackChild, waitForStartup } from './child-processes.js';
import { findFreePort } from '../ports.js';
import { isRedisProcess } from '../redis.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import type { RedisService } from './types.js';

const HOST = '127.0.0.1';
/** Another process can take the free port before redis-server binds it; then we try another. */
const PORT_ATTEMPTS = 5;
const STARTUP_TIMEOUT_MS = 10_000;

/** Spawns `redis-server` (Debian's package) on a free loopback port, persisting nothing. */
export async function startLocalRedis(): Promise<RedisService> {
  const directory = await makeTempDir('redis');
  try {
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt += 1) {
      const service = await launchRedis(await findFreePort(), directory);
      if (service !== undefined) return service;
    }
    throw new Error(`redis-server found no free port in ${PORT_ATTEMPTS} attempts`);
  } catch (error) {
    await removeTempDir(directory);
    throw error;
  }
}

export function redisArguments(port: number, directory: string): string[] {
  return ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', directory, '--loglevel', 'warning'];
}

/** The service, or undefined when the port was taken meanwhile. */
async function launchRedis(port: number, directory: string): Promise<RedisService | undefined> {
  const child = spawn('redis-server', redisArguments(port, directory), { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  trackChild(child, directory);
  const outcome = await waitForStartup(child, () => isRedisProcess(HOST, port, child.pid), STARTUP_TIMEOUT_MS);
  if (outcome !== 'ready') {
    await stopChild(child);
    if (/address already in use/i.test(output())) return undefined;
    throw new Error(`redis-server did not start (${outcome}) on port ${port}: ${output() || 'no output; is it installed?'}`);
  }
  detachFromEventLoop(child);
  let stopping: Promise<void> | undefined;
  reportUnexpectedExit(child, 'redis-server', output, () => stopping !== undefined);
  return {
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    stop: () => (stopping ??= stopChild(child).then(() => removeTempDir(directory))),
  };
}
