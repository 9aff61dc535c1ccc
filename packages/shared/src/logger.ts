import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** The process: `api`, `worker`, `up` … becomes the `name` field of every line. */
  readonly name: string;
  readonly level: LevelWithSilent;
  /** Where lines go; stdout when absent (tests pass a stream to read them). */
  readonly destination?: DestinationStream;
}

/** Fields that may carry credentials are never written to logs. */
const REDACTED_PATHS = [
  'token', '*.token', 'secret', '*.secret', 'password', '*.password',
  'req.headers.authorization', 'req.headers.cookie', 'config.tokenSecrets', 'config.s3SecretAccessKey',
  'config.playbackSigningKeys', 'config.apiKeys', 'config.metricsToken',
];

/** One pino logger per process: JSON lines, object first (`log.info({ videoId }, 'segment closed')`). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { name: options.name, level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    options.destination,
  );
}

/** A child logger per module, so every line says where it came from. */
export function moduleLogger(parent: Logger, module: string, bindings: Record<string, unknown> = {}): Logger {
  return parent.child({ module, ...bindings });
}
