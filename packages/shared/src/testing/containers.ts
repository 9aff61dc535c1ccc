import { createBucket } from './buckets.js';
import type { RedisService, S3Service } from './types.js';

const REDIS_IMAGE = 'redis:7';
const MINIO_IMAGE = 'minio/minio';
const MINIO_CREDENTIALS = { accessKeyId: 'kiln-test', secretAccessKey: 'kiln-test-secret' } as const;

let runtimeCheck: Promise<boolean> | undefined;

/**
 * Whether a container runtime (Docker, Podman) answers. testcontainers rejects within
 * milliseconds when there is none; the answer is kept for the rest of the process.
 */
export function containerRuntimeAvailable(): Promise<boolean> {
  runtimeCheck ??= import('testcontainers').then(
    ({ getContainerRuntimeClient }) => getContainerRuntimeClient().then(() => true),
    () => false,
  ).catch(() => false);
  return runtimeCheck;
}

/** Redis in a container; testcontainers maps its 6379 to a random host port. */
export async function startRedisContainer(): Promise<RedisService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(REDIS_IMAGE)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(6379);
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    stop: () => (stopping ??= container.stop().then(() => undefined)),
  };
}

/** MinIO in a container, with one empty bucket. */
export async function startMinioContainer(): Promise<S3Service> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(MINIO_IMAGE)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: MINIO_CREDENTIALS.accessKeyId, MINIO_ROOT_PASSWORD: MINIO_CREDENTIALS.secretAccessKey })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
    .start();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= container.stop().then(() => undefined));
  try {
    const endpoint = `http://${container.getHost()}:${container.getMappedPort(9000)}`;
    const connection = { endpoint, region: 'us-east-1', ...MINIO_CREDENTIALS };
    return { server: 'minio', ...connection, bucket: await createBucket(connection), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
