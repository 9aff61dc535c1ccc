/**
 * The worker's error registry: stable codes, with the HTTP status a client gets for each. The codes
 * every service answers with (ROUTE_NOT_FOUND, BAD_REQUEST, INTERNAL) are the shared HttpErrors.
 */
import { defineErrors, type ErrorPolicy } from '@kiln/shared';

export const WorkerErrors = defineErrors({
  WORKER_FULL: { httpStatus: 503, message: 'this worker runs as many transcodes as it may; try another' },
  WORKER_DRAINING: { httpStatus: 503, message: 'this worker is shutting down and takes no new work' },
  SEGMENT_TIMEOUT: { httpStatus: 504, message: 'the segment was not ready in time' },
  SEGMENT_OUT_OF_RANGE: { httpStatus: 404, message: 'the rendition has no segment with that number' },
  RENDITION_UNKNOWN: { httpStatus: 404, message: 'the video has no such rendition' },
  SOURCE_MISSING: { httpStatus: 404, message: 'the video has no source in object storage' },
  SOURCE_UNUSABLE: { httpStatus: 422, message: 'the source has no stream Kiln can transcode' },
  SEGMENT_OFF_PLAN: { message: 'a segment did not match the planned schedule' },
  TRANSCODE_FAILED: { message: 'the transcode failed' },
  VIDEO_MISSING: { httpStatus: 404, message: 'the video has no record (deleted?)' },
  UPLOAD_MISSING: { httpStatus: 404, message: 'the upload is not in object storage' },
  JOB_INTERRUPTED: { message: 'the job was interrupted too many times (its worker died or stopped)' },
  JOB_UNKNOWN: { httpStatus: 400, message: 'the queue holds a job this worker does not know' },
  TRANSCODE_STOPPED: { httpStatus: 503, message: 'the transcode was stopped before the segment was made' },
});

export type WorkerErrorCode = keyof typeof WorkerErrors.specs;

/**
 * What the shared error handler needs to know of the worker: full, draining and stopped are retried
 * elsewhere or later (the API, a load balancer's retry); 503 and 504 (a segment not ready in time) are refusals.
 */
export const WORKER_ERROR_POLICY: ErrorPolicy = {
  retryAfterSeconds: { WORKER_FULL: 2, WORKER_DRAINING: 2, TRANSCODE_STOPPED: 1 },
  refusalStatuses: [503, 504],
};
