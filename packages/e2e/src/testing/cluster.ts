/**
 * For upload tests: this API (listening, with the real queue), `kiln worker` processes of either
 * role, Redis and an S3 API server, each worker with its own data directory so a test can look at
 * its scratch. Workers are real processes so one can be killed outright.
 */
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createRedisKeys, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir, startServices } from '@kiln/shared/testing';
import { listenTestApi } from '@kiln/api/testing';
import { spawnWorker, stopProcess, storageOf } from './kiln-processes.js';

/** What every upload-test worker runs with: the fastest encodes, and a dead worker's job retried within seconds. */
const UPLOAD_WORKER_ENV = { KILN_WORKER_PRESET: 'ultrafast', KILN_JOB_LOCK_DURATION: '2s' } as const;

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

export interface ClusterOptions {
  readonly maxBytes: number;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const services = await startServices({ redis: true, s3: true });
  const redis = new Redis(services.redis.url);
  const queueConnection = new Redis(services.redis.url);
  const keys = createRedisKeys('kiln');
  const storage = storageOf(services);
  const dir = await makeTempDir('kiln-upload-');
  const api = await listenTestApi({ redis, keys, storage, uploads: { connection: queueConnection, maxBytes: options.maxBytes } });
  const { app, base } = api;
  const workers = new Map<string, ChildProcess>();
  const stopWorker = async (id: string, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = workers.get(id);
    if (child !== undefined) await stopProcess(child, signal);
  };
  return {
    redis, keys, storage, app, base,
    startWorker(id, role, machineOf = id, extraEnv = {}) {
      const child = spawnWorker(services, { id, role, dataDir: join(dir, machineOf), env: { ...UPLOAD_WORKER_ENV, ...extraEnv } });
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
      await api.close();
      await Promise.all([...workers.keys()].map((id) => stopWorker(id)));
      redis.disconnect();
      queueConnection.disconnect();
      await services.stop();
      await removeTempDir(dir);
    },
  };
}
