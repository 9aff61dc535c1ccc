/**
 * What the API's integration harnesses (`pipeline.ts`: registered sources, `../uploads/test-cluster.ts`:
 * the upload path) share: `kiln worker` processes against the test services, this API listening
 * with test settings, and stopping a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createLogger, createS3Storage, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import type { RedisService, S3Service } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import type { JobQueue } from '../plugins/external/queues.js';
import { createHttpWorkerClient } from '../workers/http-client.js';

const KILN = resolve(import.meta.dirname, '../../../cli/bin/kiln.js');
const TOKEN_SECRET = 'a test secret that is long enough for HMAC-SHA256';

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

/** A `kiln worker` against the test services, reporting its load quickly; stdout piped only when asked. */
export function spawnWorker(services: TestServices, spec: WorkerSpec, stdout: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
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
  return spawn(process.execPath, [KILN, 'worker'], { stdio: ['pipe', stdout, 'inherit'], env });
}

/** Sends `signal` and waits for the exit; nothing when the process has ended already. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  await exited;
}

export interface TestApiOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  readonly uploads?: { readonly queue: JobQueue; readonly maxBytes: number };
}

/** This API on a free loopback port; it logs errors only, so a server error in a test says why. */
export async function listenTestApi(options: TestApiOptions): Promise<{ app: FastifyInstance; base: string }> {
  const { redis, keys, storage, uploads } = options;
  const app = buildApiApp({
    log: createLogger({ name: 'api-test', level: 'error' }),
    checks: {},
    playback: {
      redis, keys, storage, tokenSecrets: [TOKEN_SECRET], workers: createHttpWorkerClient(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
    ...(uploads === undefined ? {} : { uploads }),
  });
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
}
