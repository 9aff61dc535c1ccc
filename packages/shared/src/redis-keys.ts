/**
 * Every Redis key of the system comes from here, so the key space is readable in one place
 * and no two modules can disagree about a name.
 */

/** Ids that reach a key are validated: a ':' or '*' in an id could alias or glob other keys. */
const KEY_PART = /^[A-Za-z0-9_.-]{1,128}$/;

function part(name: string, value: string | number): string {
  const text = String(value);
  if (!KEY_PART.test(text)) throw new TypeError(`Redis key part ${name} is not allowed: ${JSON.stringify(text)}`);
  return text;
}

export interface RedisKeys {
  readonly prefix: string;
  /** BullMQ's own prefix: its keys are `{prefix}:bull:{queue}:…`. */
  readonly bullPrefix: string;
  /** Sorted set of worker ids by registration time: who might be alive (the load report decides). */
  workers(): string;
  /** A worker's load report (hash, TTL = the report TTL): missing means the worker is dead. */
  workerLoad(workerId: string): string;
  /** Set when a one-time playback token's nonce has been used (SET NX, TTL = token lifetime). */
  usedNonce(nonce: string): string;
  /** A video's record (hash): state, duration, renditions, error. */
  video(videoId: string): string;
  /** Cache index of one rendition's segments (hash: segment number → bytes/created/accessed). */
  segmentIndex(videoId: string, renditionId: string): string;
  /** SCAN pattern of every cache index hash of one video (its renditions), for deleting the video. */
  segmentIndexPattern(videoId: string): string;
  /** Sorted set of cached segments by last access, for least-recently-used eviction. */
  segmentsByAccess(): string;
  /** Set of segment object keys whose index entries retention removed and whose objects it has still to delete. */
  retentionPending(): string;
  /** A playback session's chosen worker (string, TTL = session lifetime). */
  sessionWorker(sessionId: string): string;
  /** A source's probed facts (JSON string: duration, video, audio), so every run plans the same schedule. */
  sourceFacts(videoId: string): string;
  /** Slots the API reserved on a worker before its load report shows them (sorted set: id → expiry ms). */
  workerReservations(workerId: string): string;
  /** A resumable (tus) upload's state (JSON string: size, offset, parts, metadata), until it completes or expires. */
  resumableUpload(uploadId: string): string;
  /** Sorted set of unfinished resumable uploads by creation time (ms), so expired ones can be found and removed. */
  resumableUploads(): string;
  /** Which request holds a resumable upload (string: a random token, with a TTL renewed while it writes). */
  resumableUploadLock(uploadId: string): string;
  /** Set by a request that wants a resumable upload's lock: its holder lets go (a half-open connection). */
  resumableUploadRelease(uploadId: string): string;
  /** A run-time API key (hash: id, name, scope, createdAt), named by the SHA-256 of the key; the key itself is never stored. */
  apiKey(keyHash: string): string;
  /** Every run-time API key (hash: key id → SHA-256 of the key), for listing and revoking. */
  apiKeys(): string;
  /** One rate limiter's count for one API key or client address (string, TTL = the limiter's window). */
  rateLimit(limiter: string, subject: string): string;
  /** An API key's unfinished resumable uploads (sorted set: upload id → expiry ms), for its cap on them. */
  uploadsInProgress(keyId: string): string;
  /** The API key id that created a resumable upload (string, TTL = the upload's expiry), to free its slot. */
  resumableUploadOwner(uploadId: string): string;
}

export function createRedisKeys(prefix = 'kiln'): RedisKeys {
  if (!/^[a-z][a-z0-9-]*$/.test(prefix)) throw new TypeError(`Redis key prefix is not allowed: ${prefix}`);
  const key = (...parts: string[]) => [prefix, ...parts].join(':');
  return Object.freeze({
    prefix,
    bullPrefix: key('bull'),
    workers: () => key('workers'),
    workerLoad: (workerId: string) => key('worker', part('workerId', workerId), 'load'),
    usedNonce: (nonce: string) => key('nonce', part('nonce', nonce)),
    video: (videoId: string) => key('video', part('videoId', videoId)),
    segmentIndex: (videoId: string, renditionId: string) =>
      key('segments', part('videoId', videoId), part('renditionId', renditionId)),
    segmentIndexPattern: (videoId: string) => key('segments', part('videoId', videoId), '*'),
    segmentsByAccess: () => key('segments-by-access'),
    retentionPending: () => key('retention-pending'),
    sessionWorker: (sessionId: string) => key('session', part('sessionId', sessionId), 'worker'),
    sourceFacts: (videoId: string) => key('video', part('videoId', videoId), 'facts'),
    workerReservations: (workerId: string) => key('worker', part('workerId', workerId), 'reservations'),
    resumableUpload: (uploadId: string) => key('upload', part('uploadId', uploadId)),
    resumableUploads: () => key('uploads'),
    resumableUploadLock: (uploadId: string) => key('upload', part('uploadId', uploadId), 'lock'),
    resumableUploadRelease: (uploadId: string) => key('upload', part('uploadId', uploadId), 'release'),
    apiKey: (keyHash: string) => key('api-key', part('keyHash', keyHash)),
    apiKeys: () => key('api-keys'),
    rateLimit: (limiter: string, subject: string) => key('rate', part('limiter', limiter), part('subject', subject)),
    uploadsInProgress: (keyId: string) => key('key-uploads', part('keyId', keyId)),
    resumableUploadOwner: (uploadId: string) => key('upload', part('uploadId', uploadId), 'owner'),
  });
}
