import { containerRuntimeAvailable, startMinioContainer, startRedisContainer } from './containers.js';
import { startLocalRedis } from './local-redis.js';
import { startLocalS3 } from './local-s3.js';
import type { RedisService, S3Service } from './types.js';

export type ServiceBackend = 'local' | 'containers';

/** `KILN_TEST_SERVICES` as a choice: local processes, containers, or auto (containers when a runtime answers). */
export function parseServiceBackend(value: string | undefined): ServiceBackend | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'local' || value === 'containers') return value;
  throw new Error(`KILN_TEST_SERVICES must be local, containers or auto, not ${JSON.stringify(value)}`);
}

/** Local processes unless a container runtime is there (or the environment forces a choice). */
export async function chooseServiceBackend(env: NodeJS.ProcessEnv = process.env): Promise<ServiceBackend> {
  const choice = parseServiceBackend(env.KILN_TEST_SERVICES);
  if (choice !== 'auto') return choice;
  return (await containerRuntimeAvailable()) ? 'containers' : 'local';
}

/** A private Redis: `redis-server` on a free loopback port, or a `redis:7` container. */
export async function startRedis(backend?: ServiceBackend): Promise<RedisService> {
  return (backend ?? (await chooseServiceBackend())) === 'containers' ? startRedisContainer() : startLocalRedis();
}

/** A private S3 API with an empty bucket: s3rver in a child process, or a MinIO container. */
export async function startS3(backend?: ServiceBackend): Promise<S3Service> {
  return (backend ?? (await chooseServiceBackend())) === 'containers' ? startMinioContainer() : startLocalS3();
}

export interface ServiceRequest {
  readonly redis?: boolean;
  readonly s3?: boolean;
  /** Overrides the choice `chooseServiceBackend` would make. */
  readonly backend?: ServiceBackend;
}

/** The services asked for are present (typed as such); the others are undefined. */
export type Services<Request extends ServiceRequest> = {
  readonly redis: Request['redis'] extends true ? RedisService : undefined;
  readonly s3: Request['s3'] extends true ? S3Service : undefined;
  /** Stops every service started; safe to call twice. */
  stop(): Promise<void>;
};

/**
 * Starts the requested services side by side, for a test file's `before()`; pair it with
 * `after(() => services.stop())`. If one fails to start, the others are stopped again.
 */
export async function startServices<const Request extends ServiceRequest>(request: Request): Promise<Services<Request>> {
  const backend = request.backend ?? (await chooseServiceBackend());
  const [redis, s3] = await Promise.allSettled([
    request.redis === true ? startRedis(backend) : undefined,
    request.s3 === true ? startS3(backend) : undefined,
  ]);
  const started = [redis, s3].flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((service) => service.stop()));
  };
  const failure = [redis, s3].find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await stop();
    throw failure.reason;
  }
  const value = <T>(result: PromiseSettledResult<T>): T => (result as PromiseFulfilledResult<T>).value;
  return { redis: value(redis), s3: value(s3), stop } as Services<Request>;
}
