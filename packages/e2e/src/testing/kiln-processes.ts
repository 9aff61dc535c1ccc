/**
 * What the end-to-end harnesses (`pipeline.ts`: registered sources, `cluster.ts`: the upload path)
 * share: `kiln worker` processes against the test services, their storage, and stopping a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createS3Storage, type ObjectStorage } from '@kiln/shared';
import type { RedisService, S3Service } from '@kiln/shared/testing';

// Resolved as a module (`require.resolve`) so that the dependency checker sees the edge to the CLI.
const require = createRequire(import.meta.url);
/** The `kiln` binary: run as `node KILN_BIN <command>`. */
export const KILN_BIN = require.resolve('@kiln/cli/bin/kiln.js');

export interface TestServices {
  readonly redis: RedisService;
  readonly s3: S3Service;
}

export const storageOf = ({ s3 }: TestServices): ObjectStorage =>
  createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });

export interface WorkerSpec {
  readonly id: string;
  /** `KILN_DATA_DIR`: the worker's machine (two workers given one share a scratch). */
  readonly dataDir: string;
  readonly role?: 'ondemand' | 'pretranscode';
  readonly capacity?: number;
  /** Settings of this worker only, over the harness defaults. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A `kiln worker` against the test services, reporting its load quickly. */
export function spawnWorker(services: TestServices, spec: WorkerSpec): ChildProcess {
  const { s3 } = services;
  const env: NodeJS.ProcessEnv = {
    ...process.env, KILN_REDIS_URL: services.redis.url, KILN_STORAGE: 's3', KILN_S3_ENDPOINT: s3.endpoint, KILN_S3_BUCKET: s3.bucket,
    KILN_S3_REGION: s3.region, KILN_S3_ACCESS_KEY_ID: s3.accessKeyId, KILN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    KILN_WORKER_ID: spec.id, KILN_WORKER_ROLE: spec.role ?? 'ondemand', KILN_WORKER_CAPACITY: String(spec.capacity ?? 2),
    KILN_DATA_DIR: spec.dataDir, KILN_LOG_LEVEL: 'error',
    KILN_LOAD_REPORT_INTERVAL: '300ms', KILN_LOAD_REPORT_TTL: '1s', KILN_SUPERVISED: '1',
    ...spec.env,
  };
  // stdin is a pipe from us: with KILN_SUPERVISED the worker exits when this process dies.
  return spawn(process.execPath, [KILN_BIN, 'worker'], { stdio: ['pipe', 'ignore', 'inherit'], env });
}

/** Sends `signal` and waits for the exit; nothing when the process has ended already. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  await exited;
}
