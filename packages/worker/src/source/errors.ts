import { defineErrors } from '@kiln/shared';

/**
 * Why a source cannot be given a fast-start view. All but SOURCE_READ_FAILED are the upload's
 * fault (422): retrying will not help, the client must send another file.
 */
export const SourceErrors = defineErrors({
  SOURCE_NOT_MP4: { httpStatus: 422, message: 'the source is not an MP4/QuickTime file' },
  SOURCE_TRUNCATED: { httpStatus: 422, message: 'the source ends before its data does (an interrupted upload?)' },
  SOURCE_NO_MOOV: { httpStatus: 422, message: 'the source has no moov box, so its samples cannot be found' },
  SOURCE_BOX_INVALID: { httpStatus: 422, message: 'a top-level box of the source has an impossible size' },
  SOURCE_MOOV_INVALID: { httpStatus: 422, message: 'the moov box of the source does not parse' },
  SOURCE_MOOV_TOO_LARGE: { httpStatus: 422, message: 'the moov box of the source is larger than Kiln accepts' },
  SOURCE_READ_FAILED: { message: 'a range read of the source failed or returned too few bytes' },
});

export type SourceErrorCode = keyof typeof SourceErrors.specs;
