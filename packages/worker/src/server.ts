import { hostname } from 'node:os';
import {
  assertEncodersAvailable, connectRedis, createLogger, createRedisKeys, defaultWorkerCapacity, loadWorkerConfig,
  moduleLogger, runUntilSignalled, type Env, type WorkerConfig,
} from '@kiln/shared';
import { buildWorkerApp } from './http/app.js';
import { startLoadReports, type LoadSnapshot } from './load/report.js';
import { startTranscoding, type Transcoding } from './transcoding.js';

function workerId(config: WorkerConfig): string {
  return config.workerId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`;
}

/** A pre-transcode worker's load until its queue lands: nothing active, draining after SIGTERM. */
function idleLoad(capacity: number): { snapshot: () => LoadSnapshot; drain(): void } {
  let draining = false;
  return { snapshot: () => ({ active: 0, capacity, draining, speed: 0 }), drain: () => (draining = true) };
}

/**
 * `kiln worker`: checks that ffmpeg can encode H.264/AAC, kills what a crashed predecessor left,
 * listens, reports its load to Redis every interval, and on SIGTERM stops taking work (health 503,
 * report withdrawn), stops its transcodes, waits for uploads in flight, then exits.
 */
export async function runWorker(env: Env = process.env): Promise<number> {
  const config = loadWorkerConfig(env);
  const log = createLogger({ name: 'worker', level: config.logLevel });
  await assertEncodersAvailable();
  const id = workerId(config);
  const redis = connectRedis(config.redisUrl, { name: `kiln-worker-${id}` });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  const transcoding: Transcoding | undefined = config.workerRole === 'ondemand' ? await startTranscoding(config, redis, log) : undefined;
  const idle = idleLoad(config.workerCapacity ?? defaultWorkerCapacity());
  const snapshot = transcoding?.manager.snapshot ?? idle.snapshot;
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
        idle.drain();
        const drained = transcoding?.close();
        await reports.stop();
        await drained;
        await app.close();
        redis.disconnect();
      },
    },
    { log, graceMs: config.shutdownGrace, exitWhenStdinCloses: env.KILN_SUPERVISED === '1' },
  );
}
