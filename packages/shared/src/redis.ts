import { connect } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** BullMQ workers need `null` (block forever); request/response code wants a bounded retry. */
  readonly forQueues?: boolean;
  readonly name?: string;
}

/**
 * One way to connect to Redis. Connections fail fast instead of queueing commands forever
 * while Redis is down, so a health check answers 503 rather than hanging.
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const settings: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: options.forQueues ? null : 2,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
  };
  return new Redis(url, settings);
}

/** PING with a deadline: for health checks, which must answer even when Redis does not. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((answer) => answer === 'PONG', () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True when the port answers PING and INFO names process `pid`: a Redis that another process
 * started on the port we picked, before ours could bind it, must not be mistaken for ours.
 */
export function isRedisProcess(host: string, port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('end', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const processId = /\r\nprocess_id:(\d+)\r\n/.exec(reply)?.[1];
      if (processId !== undefined) finish(reply.startsWith('+PONG\r\n') && Number(processId) === pid);
    });
  });
}
