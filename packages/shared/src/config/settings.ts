import { cpus } from 'node:os';
import { optionalSetting, setting, type ConfigOf, type CrossCheck, type Env, loadConfig } from './define.js';
import { DEFAULT_X264_PRESET, X264_PRESETS } from '../ffmpeg/encoders.js';
import { byteSize, duration, flag, integer, oneOf, port, text, url, list } from './values.js';
import { signingKeysSchema } from '../tokens/signing-keys.js';

/**
 * Every environment variable Kiln reads, defined once. Each process picks the ones it uses
 * (API_SETTINGS, WORKER_SETTINGS, UP_SETTINGS); the README's table is generated from them.
 */
export const Settings = {
  logLevel: setting('KILN_LOG_LEVEL', oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'Log level (pino); logs are JSON lines on stdout.', { default: 'info' }),
  dataDir: setting('KILN_DATA_DIR', text(), 'Where `kiln up` keeps its Redis data, local objects and run state.', { default: '.kiln' }),
  redisUrl: setting('KILN_REDIS_URL', url(['redis', 'rediss']), 'Redis holding load reports, the cache index, tokens and queues. `kiln up` starts a private one and sets this.'),
  redisPrefix: setting('KILN_REDIS_PREFIX', text().regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and -'), 'Prefix of every Redis key, so deployments can share one Redis.', { default: 'kiln' }),
  storageDriver: setting('KILN_STORAGE', oneOf(['fs', 's3']), 'Object storage: `fs` (a local directory, single machine) or `s3` (AWS S3, MinIO, any S3 API).', { default: 'fs' }),
  storageDir: optionalSetting('KILN_STORAGE_DIR', text(), 'Directory of the `fs` object storage; default `<KILN_DATA_DIR>/objects`.'),
  s3Endpoint: optionalSetting('KILN_S3_ENDPOINT', url(['http', 'https']), 'S3 endpoint URL (MinIO, a local S3 server); unset means AWS.'),
  s3Region: setting('KILN_S3_REGION', text(), 'S3 region.', { default: 'us-east-1' }),
  s3Bucket: setting('KILN_S3_BUCKET', text(), 'S3 bucket holding sources and segments.', { default: 'kiln' }),
  s3AccessKeyId: optionalSetting('KILN_S3_ACCESS_KEY_ID', text(), 'S3 access key id; unset uses the AWS SDK default chain.'),
  s3SecretAccessKey: optionalSetting('KILN_S3_SECRET_ACCESS_KEY', text(), 'S3 secret access key.', { secret: true }),
  s3ForcePathStyle: setting('KILN_S3_FORCE_PATH_STYLE', flag(), 'Path-style S3 URLs (needed by MinIO and most S3 servers but AWS).', { default: 'true' }),
  apiHost: setting('KILN_API_HOST', text(), 'Address the API listens on.', { default: '127.0.0.1' }),
  apiPort: setting('KILN_API_PORT', port(), 'Port the API listens on (0: any free port).', { default: '8080' }),
  publicUrl: optionalSetting('KILN_PUBLIC_URL', url(['http', 'https']), 'Base URL players use to reach the API (behind a load balancer); default is the address it listens on.'),
  tokenSecrets: setting('KILN_TOKEN_SECRETS', list(text().min(32, 'each secret needs at least 32 characters')), 'Comma-separated HMAC secrets for playback tokens; the first signs, all verify (rotation). `kiln up` makes one.', { secret: true }),
  playbackSigningKeys: optionalSetting('KILN_PLAYBACK_SIGNING_KEYS', signingKeysSchema(), 'Comma-separated `KEYID:SECRET` pairs (id: 1–32 of `A-Z a-z 0-9 _ -`; secret: at least 32 bytes) an application signs playback links with, without calling the API ("Signed playback URLs" above). They sign playback links only, never variant or segment URLs.', { secret: true }),
  apiKeys: optionalSetting('KILN_API_KEYS', list(text().min(16, 'each key needs at least 16 characters').max(256, 'each key may have at most 256 characters').regex(/^[\x21-\x7e]+$/, 'keys are printable ASCII without spaces')), 'Comma-separated admin API keys for `/v1` (rotation: add the new key, move clients, drop the old). Keys made with `kiln keys create` work beside them. `kiln up` makes one when unset.', { secret: true }),
  metricsToken: optionalSetting('KILN_METRICS_TOKEN', text().min(16, 'needs at least 16 characters'), 'Bearer token that may read `/metrics` (for Prometheus); an admin API key may too. Unset: admin keys only.', { secret: true }),
  corsOrigins: optionalSetting('KILN_CORS_ORIGINS', list(url(['http', 'https'])), 'Comma-separated origins whose pages may call `/v1` from a browser (the API\'s own page always may); `/play` answers any origin.'),
  apiIdleTimeout: setting('KILN_API_IDLE_TIMEOUT', duration(1000), 'A connection to the API on which nothing moves for this long is closed: a stalled request or body, a silent client. An upload that keeps sending, however slowly, is never cut.', { default: '2m' }),
  trustProxy: optionalSetting('KILN_TRUST_PROXY', list(text().regex(/^([0-9A-Fa-f:.]+(\/\d{1,3})?|loopback|linklocal|uniquelocal)$/, 'must be an address, a CIDR range, loopback, linklocal or uniquelocal')), 'Comma-separated addresses or CIDR ranges of the load balancers in front of the API: a request from one of them counts as coming from the client its `X-Forwarded-For` names (per-address limits, logs). Unset: the connection\'s address.'),
  limitUploadsPerKey: setting('KILN_LIMIT_UPLOADS_PER_KEY', integer(0), 'Uploads (`POST /v1/videos`, simple or tus creation) one API key may start a minute, counted in Redis across every API node; past it `429 RATE_LIMITED` with `Retry-After`. 0: no limit.', { default: '60' }),
  limitUploadsPerAddress: setting('KILN_LIMIT_UPLOADS_PER_ADDRESS', integer(0), 'Uploads one client address may start a minute, whatever its keys (as `KILN_LIMIT_UPLOADS_PER_KEY`). 0: no limit.', { default: '120' }),
  limitPlaybackLinksPerKey: setting('KILN_LIMIT_PLAYBACK_LINKS_PER_KEY', integer(0), 'Playback links (`POST /v1/videos/:id/playback`) one API key may create a minute, counted in Redis across every API node; past it `429 RATE_LIMITED` with `Retry-After`. 0: no limit.', { default: '600' }),
  limitPlaybackLinksPerAddress: setting('KILN_LIMIT_PLAYBACK_LINKS_PER_ADDRESS', integer(0), 'Playback links one client address may create a minute, whatever its keys (as `KILN_LIMIT_PLAYBACK_LINKS_PER_KEY`). 0: no limit.', { default: '1200' }),
  limitTokenFailures: setting('KILN_LIMIT_TOKEN_FAILURES', integer(0), 'Refused tokens (`TOKEN_*` on `/play`) and API keys (`AUTH_INVALID`) one client address may send a minute; past it its refusals are `429 RATE_LIMITED` with `Retry-After`. Valid tokens and keys are never counted nor refused. 0: no limit.', { default: '30' }),
  limitUploadsInProgress: setting('KILN_LIMIT_UPLOADS_IN_PROGRESS', integer(0), 'Unfinished, unexpired resumable (tus) uploads one API key may have; the creation past it is refused with `429 UPLOADS_IN_PROGRESS` until one finishes or is deleted. 0: no limit.', { default: '20' }),
  workerHost: setting('KILN_WORKER_HOST', text(), 'Address a worker listens on and advertises.', { default: '127.0.0.1' }),
  workerPort: setting('KILN_WORKER_PORT', port(), 'Port a worker listens on (0: any free port).', { default: '0' }),
  workerId: optionalSetting('KILN_WORKER_ID', text().regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, _ . -'), 'Stable worker id; default `<hostname>-<pid>`.'),
  workerRole: setting('KILN_WORKER_ROLE', oneOf(['ondemand', 'pretranscode']), 'What a worker does: `ondemand` transcodes for players, `pretranscode` runs the upload queue.', { default: 'ondemand' }),
  workerCapacity: optionalSetting('KILN_WORKER_CAPACITY', integer(1, 256), 'Hard limit of concurrent transcodes; default one per CPU core.'),
  workerRunAhead: setting('KILN_WORKER_RUN_AHEAD', integer(1, 1000), 'Segments a transcode may run ahead of the furthest one a player asked for before it is paused.', { default: '6' }),
  workerSeekDistance: setting('KILN_WORKER_SEEK_DISTANCE', integer(0, 1000), 'A request more than this many segments past a running transcode is a seek: a new transcode starts there.', { default: '3' }),
  workerIdleTimeout: setting('KILN_WORKER_IDLE_TIMEOUT', duration(100), 'A transcode nobody asked a segment of, or waits on, for this long is stopped.', { default: '60s' }),
  workerSegmentWait: setting('KILN_WORKER_SEGMENT_WAIT', duration(100), 'How long a segment request waits for a segment being made before it is answered 504.', { default: '20s' }),
  workerMemory: setting('KILN_WORKER_MEMORY', byteSize(1024 * 1024), 'Bytes of recent segments a worker keeps in memory to serve them the moment they close.', { default: '256MB' }),
  workerScratchDir: optionalSetting('KILN_WORKER_SCRATCH_DIR', text(), "A worker's local scratch (pid files of its ffmpeg processes); default `<KILN_DATA_DIR>/worker-scratch`."),
  workerFirstSegmentAlone: setting('KILN_WORKER_FIRST_SEGMENT_ALONE', flag(), 'A transcode a player waits on takes its first segment from a first-segment output: a second output of the same ffmpeg, encoded without lookahead or B-frames (x264 `zerolatency`) and one preset faster than `KILN_WORKER_PRESET`, so it is served as soon as its frames are encoded; `false`: one output, whose first segment waits for x264\'s lookahead (~15 frames) past its end.', { default: 'true' }),
  workerHeapGrowth: setting('KILN_WORKER_HEAP_GROWTH', integer(0, 400), 'Percent the worker\'s JavaScript heap may grow past what its last full garbage collection kept before the next one (V8 `--heap-growing-percent`); 0 leaves it to V8, which keeps the heap so tight while media streams through that it collects every few seconds.', { default: '100' }),
  workerPreset: setting('KILN_WORKER_PRESET', oneOf(X264_PRESETS), 'x264 preset of on-demand transcodes. The first segment of a run a client waits for (a split run) is encoded one preset faster.', { default: DEFAULT_X264_PRESET }),
  uploadMaxBytes: setting('KILN_UPLOAD_MAX_BYTES', byteSize(1), 'Largest upload `POST /v1/videos` accepts; a larger one is refused with 413 and nothing is kept.', { default: '10GB' }),
  pretranscodeConcurrency: setting('KILN_PRETRANSCODE_CONCURRENCY', integer(1, 64), 'Upload jobs (ingest and pre-transcode) a `pretranscode` worker runs at once; each runs up to KILN_WORKER_CAPACITY ffmpeg processes.', { default: '1' }),
  jobLockDuration: setting('KILN_JOB_LOCK_DURATION', duration(1000), 'How long a queue job stays locked to its worker without renewal: a job whose worker died is picked up again after about this long.', { default: '30s' }),
  ingestMaxDuration: setting('KILN_INGEST_MAX_DURATION', duration(1000), 'Longest upload ingest accepts; a longer one fails with TOO_LONG.', { default: '4h' }),
  retentionMaxAge: setting('KILN_RETENTION_MAX_AGE', duration(60_000), 'A cached segment (not part of a pinned opening) is deleted this long after its last access.', { default: '30d' }),
  cacheMaxBytes: setting('KILN_CACHE_MAX_BYTES', byteSize(1), 'Byte budget of the segment cache: past it, the least recently used unpinned segments are deleted first.', { default: '100GB' }),
  retentionInterval: setting('KILN_RETENTION_INTERVAL', duration(1000), 'How often the retention job (expiry, byte budget) runs on the `pretranscode` workers.', { default: '1h' }),
  loadReportInterval: setting('KILN_LOAD_REPORT_INTERVAL', duration(100), 'How often a worker reports its load to Redis.', { default: '1s' }),
  loadReportTtl: setting('KILN_LOAD_REPORT_TTL', duration(1000), 'How long a load report lives; a worker whose report expired is dead to the scheduler.', { default: '5s' }),
  shutdownGrace: setting('KILN_SHUTDOWN_GRACE', duration(0), 'How long a process may take to drain after SIGTERM before it is killed.', { default: '10s' }),
  playbackLinkLifetime: setting('KILN_PLAYBACK_LINK_LIFETIME', duration(1000), 'Default lifetime of a one-time playback URL (a request may ask for less or more, up to the session lifetime).', { default: '10m' }),
  sessionLifetime: setting('KILN_SESSION_LIFETIME', duration(60_000), 'How long variant and segment URLs stay valid after the master playlist is fetched.', { default: '6h' }),
  slotReservationTtl: setting('KILN_SLOT_RESERVATION_TTL', duration(100), 'How long a slot the API reserved on a worker counts before the worker\'s load report shows it (at least two report intervals).', { default: '3s' }),
} as const;

const S = Settings;

const COMMON = { logLevel: S.logLevel, redisUrl: S.redisUrl, redisPrefix: S.redisPrefix } as const;
const STORAGE = {
  dataDir: S.dataDir, storageDriver: S.storageDriver, storageDir: S.storageDir, s3Endpoint: S.s3Endpoint, s3Region: S.s3Region,
  s3Bucket: S.s3Bucket, s3AccessKeyId: S.s3AccessKeyId, s3SecretAccessKey: S.s3SecretAccessKey, s3ForcePathStyle: S.s3ForcePathStyle,
} as const;

export const API_SETTINGS = {
  ...COMMON, ...STORAGE, apiHost: S.apiHost, apiPort: S.apiPort, publicUrl: S.publicUrl, tokenSecrets: S.tokenSecrets,
  shutdownGrace: S.shutdownGrace, playbackLinkLifetime: S.playbackLinkLifetime, sessionLifetime: S.sessionLifetime,
  slotReservationTtl: S.slotReservationTtl, uploadMaxBytes: S.uploadMaxBytes, apiKeys: S.apiKeys, metricsToken: S.metricsToken,
  corsOrigins: S.corsOrigins, playbackSigningKeys: S.playbackSigningKeys, apiIdleTimeout: S.apiIdleTimeout, trustProxy: S.trustProxy,
  limitUploadsPerKey: S.limitUploadsPerKey, limitUploadsPerAddress: S.limitUploadsPerAddress, limitPlaybackLinksPerKey: S.limitPlaybackLinksPerKey,
  limitPlaybackLinksPerAddress: S.limitPlaybackLinksPerAddress, limitTokenFailures: S.limitTokenFailures, limitUploadsInProgress: S.limitUploadsInProgress,
} as const;

export const WORKER_SETTINGS = {
  ...COMMON, ...STORAGE, workerHost: S.workerHost, workerPort: S.workerPort, workerId: S.workerId, workerRole: S.workerRole,
  workerCapacity: S.workerCapacity, loadReportInterval: S.loadReportInterval, loadReportTtl: S.loadReportTtl,
  workerRunAhead: S.workerRunAhead, workerSeekDistance: S.workerSeekDistance, workerIdleTimeout: S.workerIdleTimeout,
  workerSegmentWait: S.workerSegmentWait, workerMemory: S.workerMemory, workerScratchDir: S.workerScratchDir, workerPreset: S.workerPreset,
  workerFirstSegmentAlone: S.workerFirstSegmentAlone, workerHeapGrowth: S.workerHeapGrowth,
  shutdownGrace: S.shutdownGrace, pretranscodeConcurrency: S.pretranscodeConcurrency, jobLockDuration: S.jobLockDuration,
  ingestMaxDuration: S.ingestMaxDuration, retentionMaxAge: S.retentionMaxAge, cacheMaxBytes: S.cacheMaxBytes,
  retentionInterval: S.retentionInterval,
} as const;

export const UP_SETTINGS = {
  logLevel: S.logLevel, dataDir: S.dataDir, apiHost: S.apiHost, apiPort: S.apiPort, shutdownGrace: S.shutdownGrace, apiKeys: S.apiKeys, redisPrefix: S.redisPrefix,
} as const;

export type ApiConfig = ConfigOf<typeof API_SETTINGS>;
export type WorkerConfig = ConfigOf<typeof WORKER_SETTINGS>;
export type UpConfig = ConfigOf<typeof UP_SETTINGS>;

const s3AccessKeysTogether: CrossCheck<ConfigOf<typeof STORAGE>> = (config) =>
  (config.s3AccessKeyId === undefined) === (config.s3SecretAccessKey === undefined)
    ? []
    : ['KILN_S3_ACCESS_KEY_ID and KILN_S3_SECRET_ACCESS_KEY: set both or neither'];

const reportOutlivesInterval: CrossCheck<WorkerConfig> = (config) =>
  config.loadReportTtl >= 2 * config.loadReportInterval
    ? []
    : ['KILN_LOAD_REPORT_TTL: must be at least twice KILN_LOAD_REPORT_INTERVAL, or one late report marks a live worker dead'];

export const loadApiConfig = (env?: Env): ApiConfig => loadConfig(API_SETTINGS, env, [s3AccessKeysTogether]);
export const loadWorkerConfig = (env?: Env): WorkerConfig =>
  loadConfig(WORKER_SETTINGS, env, [s3AccessKeysTogether, reportOutlivesInterval]);
export const loadUpConfig = (env?: Env): UpConfig => loadConfig(UP_SETTINGS, env);

/** One transcode per core: a real-time 720p encode keeps about one core busy (docs/architecture.md "Worker runs"). */
export const defaultWorkerCapacity = (): number => Math.max(1, cpus().length);

export const CONFIG_GROUPS = [
  { usedBy: 'api', spec: API_SETTINGS },
  { usedBy: 'worker', spec: WORKER_SETTINGS },
  { usedBy: 'up', spec: UP_SETTINGS },
] as const;
