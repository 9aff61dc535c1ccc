import { defineErrors, type ErrorPolicy } from '@kiln/shared';

/**
 * Errors the API answers with; each code is stable, clients may depend on it. Token refusals that
 * the shared token code raises (TOKEN_MALFORMED, TOKEN_TAMPERED, TOKEN_EXPIRED, TOKEN_WRONG_KIND,
 * TOKEN_WRONG_VIDEO) live in SharedErrors, and the codes every service answers with (ROUTE_NOT_FOUND,
 * BAD_REQUEST, BODY_TOO_LARGE, INTERNAL) in HttpErrors; the API adds what only it can decide.
 */
export const ApiErrors = defineErrors({
  AUTH_REQUIRED: { httpStatus: 401, message: 'this needs an API key: send Authorization: Bearer <key>' },
  AUTH_INVALID: { httpStatus: 401, message: 'that API key is not valid (unknown, revoked or malformed)' },
  AUTH_SCOPE: { httpStatus: 403, message: 'that API key may not do this' },
  TOKEN_USED: { httpStatus: 403, message: 'this playback link has already been used' },
  VIDEO_NOT_FOUND: { httpStatus: 404, message: 'no video with that id' },
  VIDEO_NOT_READY: { httpStatus: 409, message: 'the video is not ready for playback' },
  RENDITION_NOT_FOUND: { httpStatus: 404, message: 'no such rendition for this session' },
  SEGMENT_NOT_FOUND: { httpStatus: 404, message: 'no such segment in this rendition' },
  NO_WORKER_AVAILABLE: { httpStatus: 503, message: 'no transcoding worker is available; retry shortly' },
  WORKER_FAILED: { httpStatus: 502, message: 'the transcoding worker failed to produce the segment' },
  UPLOAD_TOO_LARGE: { httpStatus: 413, message: 'the upload is larger than this server accepts' },
  UPLOAD_EMPTY: { httpStatus: 400, message: 'the upload has no bytes' },
  UPLOAD_INCOMPLETE: { httpStatus: 400, message: 'the upload ended before all its bytes arrived' },
  UPLOAD_NOT_FOUND: { httpStatus: 404, message: 'no unfinished upload with that id' },
  UPLOAD_EXPIRED: { httpStatus: 410, message: 'the upload expired before it was finished; start a new one' },
  UPLOAD_OFFSET_MISMATCH: { httpStatus: 409, message: 'Upload-Offset is not where the upload stands; ask with HEAD and continue from there' },
  UPLOAD_LOCKED: { httpStatus: 423, message: 'another request is still writing this upload; retry shortly' },
  UPLOAD_FINISHED: { httpStatus: 400, message: 'the upload is finished and can no longer be changed' },
  UPLOAD_NOT_STORED: { message: 'every byte arrived but the upload could not be stored; upload it again' },
  // 429, not 409: the key's quota is spent (tus-js-client retries 409 on its own, uselessly here).
  UPLOADS_IN_PROGRESS: { httpStatus: 429, message: 'this API key has as many unfinished resumable uploads as it may; finish or delete one first' },
  // Retry-After is set where the limit is known: the seconds until the window that refused ends.
  RATE_LIMITED: { httpStatus: 429, message: 'too many requests; retry after the seconds in Retry-After' },
});

export type ApiErrorCode = keyof typeof ApiErrors.specs;

/** What the shared error handler needs to know of the API: no worker free is a refusal, retried soon. */
export const API_ERROR_POLICY: ErrorPolicy = { retryAfterSeconds: { NO_WORKER_AVAILABLE: 2 }, refusalStatuses: [503] };
