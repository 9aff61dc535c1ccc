/**
 * For upload tests: this API (listening, with the real queue), `kiln worker` processes of either
 * role, Redis and an S3 API server, each worker with its own data directory so a test can look at
 * its scratch. Workers are real processes so one can be killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createLogger, createRedisKeys, createS3Storage, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir, sampleMediaDirectory, startServices, type RedisService, type S3Service, waitFor } from '@kiln/shared/testing';
import { buildApiApp } from '../app.js';
import { createJobQueue, type JobQueue } from '../plugins/external/queues.js';
import { createHttpWorkerClient } from '../workers/http-client.js';

const KILN = resolve(import.meta.dirname, '../../../cli/bin/kiln.js');
const SECRET = 'an upload test secret that is long enough for HMAC';

export const mediaFile = (name: string): string => join(sampleMediaDirectory(), name);

export interface Cluster {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  readonly app: FastifyInstance;
  /** http://127.0.0.1:port of the API. */
  readonly base: string;
  /**
   * `machineOf`: another worker's id, to share its data directory (a restart on the same machine);
   * `env`: settings of this worker only (e.g. `KILN_INGEST_MAX_DURATION`).
   */
  startWorker(id: string, role: 'ondemand' | 'pretranscode', machineOf?: string, env?: Readonly<Record<string, string>>): ChildProcess;
  /** ffmpeg processes a worker runs now. */
  ffmpegOf(id: string): Promise<number[]>;
  /** Files left in a worker's scratch (job directories, pid files). */
  scratchLeft(id: string): Promise<string[]>;
  stopWorker(id: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Re-exported for the tests and benches that import it from here. */
export { waitFor };

function workerEnv(services: { redis: RedisService; s3: S3Service }, dataDir: string, id: string, role: string): NodeJS.ProcessEnv {
  const { s3 } = services;
  return {
    ...process.env, KILN_REDIS_URL: services.redis.url, KILN_STORAGE: 's3', KILN_S3_ENDPOINT: s3.endpoint, KILN_S3_BUCKET: s3.bucket,
    KILN_S3_REGION: s3.region, KILN_S3_ACCESS_KEY_ID: s3.accessKeyId, KILN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    KILN_WORKER_ID: id, KILN_WORKER_ROLE: role, KILN_WORKER_CAPACITY: '2', KILN_DATA_DIR: dataDir, KILN_LOG_LEVEL: 'error',
    KILN_WORKER_PRESET: 'ultrafast', KILN_JOB_LOCK_DURATION: '2s',
    KILN_LOAD_REPORT_INTERVAL: '300ms', KILN_LOAD_REPORT_TTL: '1s', KILN_SUPERVISED: '1',
  };
}

export interface ClusterOptions {
  readonly maxBytes: number;
  /** Worker log lines (pino JSON on stdout) at `level`, for benchmarks that read what workers ran. */
  readonly workerLog?: { readonly level: string; onLine(workerId: string, line: string): void };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const services = await startServices({ redis: true, s3: true });
  const { s3 } = services;
  const redis = new Redis(services.redis.url);
  const queueConnection = new Redis(services.redis.url);
  const keys = createRedisKeys('kiln');
  const storage = createS3Storage({ endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const dir = await makeTempDir('kiln-upload-');
  const queue: JobQueue = createJobQueue(queueConnection, keys);
  const app = buildApiApp({
    // Errors only: a server error in a test run says why in the test's output.
    log: createLogger({ name: 'api-upload-test', level: 'error' }),
    checks: {},
    playback: {
      redis, keys, storage, tokenSecrets: [SECRET], workers: createHttpWorkerClient(),
      settings: { playbackLinkLifetimeMs: 60_000, sessionLifetimeMs: 3_600_000, slotReservationTtlMs: 1_000 },
    },
    uploads: { queue, maxBytes: options.maxBytes },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const workers = new Map<string, ChildProcess>();
  const stopWorker = async (id: string, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = workers.get(id);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  };
  return {
    redis, keys, storage, app, base,
    startWorker(id, role, machineOf = id, extraEnv = {}) {
      const env = { ...workerEnv(services, join(dir, machineOf), id, role), ...extraEnv };
      const { workerLog } = options;
      const child = spawn(process.execPath, [KILN, 'worker'], { stdio: ['pipe', workerLog ? 'pipe' : 'ignore', 'inherit'], env: workerLog ? { ...env, KILN_LOG_LEVEL: workerLog.level } : env });
      if (workerLog && child.stdout) createInterface({ input: child.stdout }).on('line', (line) => workerLog.onLine(id, line));
      workers.set(id, child);
      return child;
    },
    async ffmpegOf(id) {
      const pid = workers.get(id)?.pid;
      if (pid === undefined) return [];
      return (await listChildProcesses(pid)).filter((entry) => /ffmpeg/.test(entry.commandLine)).map((entry) => entry.pid);
    },
    scratchLeft: async (id) => (await readdir(join(dir, id, 'worker-scratch'), { recursive: true }).catch(() => [] as string[])).filter((name) => name !== 'jobs'),
    stopWorker,
    async stop() {
      await app.close();
      await Promise.all([...workers.keys()].map((id) => stopWorker(id)));
      await queue.close();
      redis.disconnect();
      queueConnection.disconnect();
      await services.stop();
      await removeTempDir(dir);
    },
  };
}
