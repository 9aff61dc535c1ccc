import { hostname } from 'node:os';
import {
  assertEncodersAvailable, connectRedis, createLogger, createRedisKeys, loadWorkerConfig,
  moduleLogger, runUntilSignalled, shutdownRequested, type Env, type WorkerConfig,
} from '@kiln/shared';
import { buildWorkerApp } from './http/app.js';
import { startLoadReports, type LoadSnapshot } from './load/report.js';
import { startTranscoding, type Transcoding } from './transcoding.js';
import { startJobs } from './jobs/start.js';
import { tuneWorkerHeap } from './heap.js';

function workerId(config: WorkerConfig): string {
  return config.workerId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`;
}

/**
 * `kiln worker`: checks that ffmpeg can encode H.264/AAC, kills what a crashed predecessor left,
 * listens, reports its load to Redis every interval, and on SIGTERM stops taking work (health 503,
 * report withdrawn), stops its transcodes, waits for uploads in flight, then exits.
 */
export async function runWorker(env: Env = process.env): Promise<number> {
  const config = loadWorkerConfig(env);
  // Listening from the start: a SIGTERM while still starting stops the service once it is up.
  const requested = shutdownRequested(env.KILN_SUPERVISED === '1');
  const log = createLogger({ name: 'worker', level: config.logLevel });
  tuneWorkerHeap(config.workerHeapGrowth);
  await assertEncodersAvailable();
  const id = workerId(config);
  const redis = connectRedis(config.redisUrl, { name: `kiln-worker-${id}` });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  const transcoding: Transcoding | undefined = config.workerRole === 'ondemand' ? await startTranscoding(config, redis, log) : undefined;
  const jobs = config.workerRole === 'pretranscode' ? await startJobs(config, redis, log) : undefined;
  const snapshot: () => LoadSnapshot = transcoding?.manager.snapshot ?? jobs?.snapshot ?? (() => ({ active: 0, capacity: 0, draining: false, speed: 0 }));
  const app = buildWorkerApp({
    log: moduleLogger(log, 'http'), worker: { id, role: config.workerRole }, snapshot,
    ...(transcoding === undefined ? {} : { transcodes: transcoding.manager }),
  });
  const address = await app.listen({ host: config.workerHost, port: config.workerPort });
  const worker = { id, url: address, role: config.workerRole };
  const reports = startLoadReports({
    redis, keys: createRedisKeys(config.redisPrefix), worker, snapshot,
    intervalMs: config.loadReportInterval, ttlMs: config.loadReportTtl, log: moduleLogger(log, 'load'),
  });
  await reports.reportNow();
  log.info({ worker, capacity: snapshot().capacity, source: transcoding?.opener.name }, 'worker listening');
  return runUntilSignalled(
    {
      stop: async () => {
        const drained = Promise.all([transcoding?.close(), jobs?.close()]);
        await reports.stop();
        await drained;
        await app.close();
        redis.disconnect();
      },
    },
    { log, graceMs: config.shutdownGrace, exitWhenStdinCloses: env.KILN_SUPERVISED === '1', requested },
  );
}
