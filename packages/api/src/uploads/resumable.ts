/**
 * Resumable uploads with the tus 1.0 protocol (tus-js-client, Uppy): `POST /v1/videos` with a
 * `Tus-Resumable` header creates one, answered with `Location: /v1/uploads/{id}`; PATCH sends bytes
 * (in as many requests as the client likes), HEAD says how many are stored, DELETE gives up. The id
 * is the video's id from the start, so `GET /v1/videos/:id` shows `uploading` until the last byte,
 * then `processing`. Every state lives in Redis and object storage: any API node serves any request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { Server, type ServerOptions } from '@tus/server';
import { ERRORS, EVENTS, type Locker, type Upload } from '@tus/utils';
import { HttpErrors, isKilnError, isVideoId, newVideoId, type KilnError, type RedisKeys } from '@kiln/shared';
import { ApiErrors, type ApiErrorCode } from '../errors.js';
import { createRedisLocker } from './redis-locker.js';
import { ResumableUploadStore } from './resumable-store.js';
import { beginUpload, startProcessing, UPLOADING_TTL_SECONDS, type UploadDependencies } from './receive.js';
import { createUploadSlots, uploadOwner, type UploadSlots } from './upload-slots.js';

/** Where upload URLs point; `POST /v1/videos` creates them. */
export const RESUMABLE_UPLOADS_PATH = '/v1/uploads';

export interface ResumableUploadDependencies extends UploadDependencies {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** Where refusals that are our fault (500) are logged. */
  readonly log: { error(details: object, message: string): void };
  /** Only tests set it (short lock timeouts). */
  readonly locker?: Locker;
  /** Unfinished uploads one API key may have (absent or 0: any). */
  readonly maxInProgressPerKey?: number;
}

export interface ResumableUploads {
  readonly server: Server;
  /** tus answers the request on the raw response, every refusal as the API's `{ code, message }` JSON. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Removes unfinished uploads older than their expiry (their parts and state); returns how many. */
  removeExpired(): Promise<number>;
}

/** tus's refusals as the API's stable codes; the rest (malformed requests) are BAD_REQUEST with tus's status. */
const CODE_BY_TUS_ERROR = new Map<unknown, ApiErrorCode | 'INTERNAL'>([
  [ERRORS.ABORTED, 'UPLOAD_INCOMPLETE'],
  [ERRORS.INVALID_TERMINATION, 'UPLOAD_FINISHED'],
  [ERRORS.ERR_LOCK_TIMEOUT, 'UPLOAD_LOCKED'],
  [ERRORS.FILE_NOT_FOUND, 'UPLOAD_NOT_FOUND'],
  [ERRORS.INVALID_OFFSET, 'UPLOAD_OFFSET_MISMATCH'],
  [ERRORS.FILE_NO_LONGER_EXISTS, 'UPLOAD_EXPIRED'],
  [ERRORS.ERR_SIZE_EXCEEDED, 'UPLOAD_TOO_LARGE'],
  [ERRORS.ERR_MAX_SIZE_EXCEEDED, 'UPLOAD_TOO_LARGE'],
  [ERRORS.UNKNOWN_ERROR, 'INTERNAL'],
  [ERRORS.FILE_WRITE_ERROR, 'INTERNAL'],
]);

export function createResumableUploads(deps: ResumableUploadDependencies): ResumableUploads {
  const expirationMs = UPLOADING_TTL_SECONDS * 1000;
  const max = deps.maxInProgressPerKey ?? 0;
  const slots = max > 0 ? createUploadSlots({ ...deps, max, expirationMs }) : undefined;
  const store = new ResumableUploadStore({ redis: deps.redis, keys: deps.keys, storage: deps.storage, expirationMs, now: deps.now, ...(slots ? { slots } : {}) });
  const server = new Server({ ...serverOptions(deps, store, slots), datastore: store });
  server.on(EVENTS.POST_TERMINATE, (_request, _response, id: string) => void deps.videos.remove(id).catch(() => undefined));
  return {
    server,
    // What `server.handle` does, with the answer in hand between tus and the socket.
    handle: async (request, response) => sendNodeResponse(response, await asJsonAnswer(await server.handleWeb(new NodeRequest({ req: request, res: response })))),
    removeExpired: () => server.cleanUpExpiredUploads(),
  };
}

/** Takes a slot of the requesting key (tus runs in its async context), or refuses the creation. */
async function takeSlot(slots: UploadSlots | undefined, uploadId: string, max: number): Promise<void> {
  const owner = uploadOwner.getStore();
  if (slots === undefined || owner === undefined || await slots.take(owner, uploadId)) return;
  throw ApiErrors.create('UPLOADS_IN_PROGRESS', `this API key has ${max} unfinished resumable uploads, as many as it may; finish or delete one first`, { details: { max } });
}

function serverOptions(deps: ResumableUploadDependencies, store: ResumableUploadStore, slots: UploadSlots | undefined): ServerOptions {
  return {
    path: RESUMABLE_UPLOADS_PATH,
    relativeLocation: true,
    maxSize: deps.maxBytes,
    locker: deps.locker ?? createRedisLocker(deps.redis, deps.keys),
    disableTerminationForFinishedUploads: true,
    namingFunction: () => newVideoId(),
    // Untrusted ids never reach a key: anything that is not an id we could have made is "not found".
    getFileIdFromRequest: (_request, lastPath) => (lastPath !== undefined && isVideoId(lastPath) ? lastPath : undefined),
    onUploadCreate: async (_request, upload: Upload) => {
      if (upload.size === 0) throw ApiErrors.create('UPLOAD_EMPTY');
      await takeSlot(slots, upload.id, deps.maxInProgressPerKey ?? 0);
      await beginUpload(upload.id, deps);
      return {};
    },
    onUploadFinish: async (_request, upload: Upload) => {
      // The last byte is in: whatever storing it makes of it, the upload no longer holds a slot.
      await slots?.release(upload.id);
      await finish(upload, deps, store);
      return {};
    },
    onResponseError: (_request, error) => {
      const answer = asApiError(error);
      if (answer.status_code >= 500) deps.log.error({ err: error }, 'resumable upload request failed');
      return answer;
    },
  };
}

/** The last byte is in: one object for ingest, then `processing` and the job, as a simple upload. */
async function finish(upload: Upload, deps: ResumableUploadDependencies, store: ResumableUploadStore): Promise<void> {
  try {
    if (!(await store.assemble(upload.id))) return;
  } catch (error) {
    const failure = { code: 'UPLOAD_NOT_STORED', message: ApiErrors.create('UPLOAD_NOT_STORED').message };
    const record = await deps.videos.find(upload.id);
    if (record !== undefined) await deps.videos.save({ ...record, state: 'failed', error: failure }).catch(() => undefined);
    throw ApiErrors.create('UPLOAD_NOT_STORED', undefined, { cause: error });
  }
  const created = upload.creation_date === undefined ? deps.now() : new Date(upload.creation_date);
  await startProcessing(upload.id, upload.size ?? upload.offset, created, deps);
}

/** The API's refusal for a code of its own, or the generic INTERNAL. */
function refusal(code: ApiErrorCode | 'INTERNAL'): KilnError {
  return code === 'INTERNAL' ? HttpErrors.create(code) : ApiErrors.create(code);
}

function tusRefusal(error: KilnError): { status_code: number; body: string } {
  return { status_code: error.httpStatus, body: JSON.stringify(error.toJSON()) };
}

/**
 * tus refuses some requests before any hook sees them (no or another Tus-Resumable, a malformed
 * Upload-Length or Upload-Offset, a PATCH of another content type), in plain text; and it labels
 * every body text/plain, the JSON of `onResponseError` too. A refusal leaves as JSON, as elsewhere.
 */
async function asJsonAnswer(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = await response.text();
  const body = text.startsWith('{') ? text : JSON.stringify({ code: HttpErrors.create(response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST').code, message: text.trim() });
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('content-length', String(Buffer.byteLength(body)));
  return new Response(body, { status: response.status, headers });
}

/** Every refusal leaves as `{ code, message }` like the rest of the API; tus's own text becomes the message. */
function asApiError(error: Error | { status_code: number; body: string }): { status_code: number; body: string } {
  if (isKilnError(error)) return tusRefusal(error);
  if (!('status_code' in error)) return tusRefusal(HttpErrors.create('INTERNAL'));
  if (error.body.startsWith('{')) return error;
  const known = CODE_BY_TUS_ERROR.get(error);
  const answer = known === undefined ? HttpErrors.create(error.status_code >= 500 ? 'INTERNAL' : 'BAD_REQUEST') : refusal(known);
  const status = answer.code === 'BAD_REQUEST' ? error.status_code : answer.httpStatus;
  return { status_code: status, body: JSON.stringify({ code: answer.code, message: error.body.trim() }) };
}
