/**
 * Why an upload cannot become a stream. All are the client's file (422): retrying the same bytes
 * gives the same answer, so an ingest job that raises one of these must not be retried.
 * INGEST_FAILED is ours (a tool failed or timed out) and may be retried.
 */
import { defineErrors } from '@kiln/shared';

export const IngestErrors = defineErrors({
  NOT_A_VIDEO: { httpStatus: 422, message: 'the file has no video or audio that Kiln can play' },
  UNSUPPORTED_CODEC: { httpStatus: 422, message: 'the file uses a codec that Kiln cannot decode' },
  TRUNCATED: { httpStatus: 422, message: 'the file ends before its media does (an interrupted upload?)' },
  CORRUPT: { httpStatus: 422, message: 'the file is damaged: its media does not decode' },
  TOO_LONG: { httpStatus: 422, message: 'the video is longer than Kiln accepts' },
  TOO_LARGE: { httpStatus: 422, message: 'the picture has more pixels than Kiln accepts' },
  NO_DURATION: { httpStatus: 422, message: 'the length of the file cannot be told' },
  INGEST_FAILED: { message: 'the ingest of the file failed' },
});

export type IngestErrorCode = keyof typeof IngestErrors.specs;
/** The codes that refuse a file (the client's fault), as opposed to INGEST_FAILED (ours). */
export type RefusalCode = Exclude<IngestErrorCode, 'INGEST_FAILED'>;
