import { hostname } from 'node:os';
import {
  assertEncodersAvailable, connectRedis, createLogger, createRedisKeys, defaultWorkerCapacity, loadWorkerConfig,
  moduleLogger, runUntilSignalled, type Env, type WorkerConfig,
} from '@kiln/shared';
import { buildWorkerApp } from './http/app.js';
import { startLoadReports, type LoadSnapshot } from './load/report.js';

/** The worker's own view of its load; transcodes (issue 5) will move `active`. */
class LoadState {
  active = 0;
  draining = false;
  speed = 0;
  constructor(readonly capacity: number) {}
  snapshot = (): LoadSnapshot => ({ active: this.active, capacity: this.capacity, draining: this.draining, speed: this.speed });
}

function workerId(config: WorkerConfig): string {
  return config.workerId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`;
}

/**
 * `kiln worker`: checks that ffmpeg can encode H.264/AAC, listens, reports its load to Redis
 * every interval, and on SIGTERM stops taking work (health 503, report withdrawn) before exiting.
 */
export async function runWorker(env: Env = process.env): Promise<number> {
  const config = loadWorkerConfig(env);
  const log = createLogger({ name: 'worker', level: config.logLevel });
  await assertEncodersAvailable();
  const id = workerId(config);
  const load = new LoadState(config.workerCapacity ?? defaultWorkerCapacity());
  const redis = connectRedis(config.redisUrl, { name: `kiln-worker-${id}` });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  const app = buildWorkerApp({ log: moduleLogger(log, 'http'), worker: { id, role: config.workerRole }, snapshot: load.snapshot });
  const address = await app.listen({ host: config.workerHost, port: config.workerPort });
  const worker = { id, url: address, role: config.workerRole };
  const reports = startLoadReports({
    redis, keys: createRedisKeys(config.redisPrefix), worker, snapshot: load.snapshot,
    intervalMs: config.loadReportInterval, ttlMs: config.loadReportTtl, log: moduleLogger(log, 'load'),
  });
  await reports.reportNow();
  log.info({ worker, capacity: load.capacity }, 'worker listening');
  return runUntilSignalled(
    {
      stop: async () => {
        load.draining = true;
        await reports.stop();
        await app.close();
        redis.disconnect();
      },
    },
    { log, graceMs: config.shutdownGrace, exitWhenStdinCloses: env.KILN_SUPERVISED === '1' },
  );
}
