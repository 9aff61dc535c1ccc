/** The worker's error registry: stable codes, with the HTTP status a client gets for each. */
import { defineErrors } from '@kiln/shared';

export const WorkerErrors = defineErrors({
  WORKER_FULL: { httpStatus: 503, message: 'this worker runs as many transcodes as it may; try another' },
  WORKER_DRAINING: { httpStatus: 503, message: 'this worker is shutting down and takes no new work' },
  SEGMENT_TIMEOUT: { httpStatus: 504, message: 'the segment was not ready in time' },
  SEGMENT_OUT_OF_RANGE: { httpStatus: 404, message: 'the rendition has no segment with that number' },
  RENDITION_UNKNOWN: { httpStatus: 404, message: 'the video has no such rendition' },
  ROUTE_NOT_FOUND: { httpStatus: 404, message: 'no such route' },
  INTERNAL: { message: 'something went wrong in the worker' },
  REQUEST_INVALID: { httpStatus: 400, message: 'the request is malformed' },
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
