import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createBucket } from './buckets.js';
import { captureOutput, childEnvironment, detachFromEventLoop, reportUnexpectedExit, stopChild, trackChild, waitForStartup } from './child-processes.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import type { S3Service } from './types.js';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 15_000;
/** s3rver's built-in account. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * Runs s3rver 3.7.1 in its own node process on a port the OS picks (`-p 0`; it prints the port),
 * storing objects in a temp dir, with one empty bucket. The process needs
 * `--openssl-legacy-provider`: without it ListObjectsV2 continuation tokens answer 500.
 */
export async function startLocalS3(): Promise<S3Service> {
  const directory = await makeTempDir('s3');
  const child = spawn(process.execPath, s3rverArguments(s3rverScript(), directory), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnvironment(),
  });
  const output = captureOutput(child);
  trackChild(child, directory);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopChild(child).then(() => removeTempDir(directory)));
  reportUnexpectedExit(child, 's3rver', output, () => stopping !== undefined);
  try {
    const outcome = await waitForStartup(child, () => Promise.resolve(listeningPort(output()) !== undefined), STARTUP_TIMEOUT_MS);
    if (outcome !== 'ready') throw new Error(`s3rver did not start (${outcome}): ${output() || 'no output'}`);
    const endpoint = `http://${HOST}:${listeningPort(output())}`;
    const connection = { endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS };
    const bucket = await createBucket(connection);
    detachFromEventLoop(child);
    return { server: 's3rver', ...connection, bucket, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function s3rverArguments(script: string, directory: string): string[] {
  return ['--openssl-legacy-provider', script, '--directory', directory, '--address', HOST, '--port', '0', '--silent'];
}

/** The port in s3rver's "S3rver listening on 127.0.0.1:43859" line, once it has printed it. */
export function listeningPort(output: string): number | undefined {
  const port = /listening on [^\s:]+:(\d+)/.exec(output)?.[1];
  return port === undefined ? undefined : Number(port);
}

function s3rverScript(): string {
  const manifest = createRequire(import.meta.url).resolve('s3rver/package.json');
  return path.join(path.dirname(manifest), 'bin', 's3rver.js');
}
