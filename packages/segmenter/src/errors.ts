/**
 * The segmenter's error registry. It may not import @kiln/shared (it has no dependencies),
 * so it carries its own small class; codes are stable SCREAMING_SNAKE strings.
 *
 * Input faults (`recoverable: true`) are never thrown: the segmenter counts them in
 * `stats.issues`, logs them, and carries on. Only misuse of the API throws.
 */

export const SEGMENTER_ERRORS = {
  SYNC_LOST: { recoverable: true, message: 'bytes that are not TS packets were skipped' },
  TRUNCATED_PACKET: { recoverable: true, message: 'the input ended inside a TS packet' },
  CONTINUITY_ERROR: { recoverable: true, message: 'a continuity counter skipped: packets were lost' },
  ADAPTATION_FIELD_INVALID: { recoverable: true, message: 'an adaptation field is longer than its packet' },
  PSI_INVALID: { recoverable: true, message: 'a PAT or PMT section is malformed or fails its CRC' },
  PMT_MISSING: { recoverable: true, message: 'no usable PAT/PMT: the stream cannot be cut' },
  NO_CUT_TRACK: { recoverable: true, message: 'the PMT has no H.264, HEVC or AAC stream to cut on' },
  PES_INVALID: { recoverable: true, message: 'a PES header is malformed' },
  PTS_MISSING: { recoverable: true, message: 'an access unit has no PTS' },
  NAL_SCAN_LIMIT: { recoverable: true, message: 'no slice found at the start of an access unit' },
  ADTS_INVALID: { recoverable: true, message: 'an ADTS header is malformed' },
  SEGMENT_TOO_LARGE: { recoverable: true, message: 'a segment outgrew maxSegmentBytes and was cut early' },
  SEGMENT_OFF_SCHEDULE: { recoverable: false, message: 'a segment did not start where the schedule said' },
  SEGMENT_NOT_KEYFRAME: { recoverable: false, message: 'a segment does not start with a key frame' },
  INVALID_SCHEDULE: { recoverable: false, message: 'boundaries must be finite and strictly increasing' },
  INVALID_OPTIONS: { recoverable: false, message: 'the segmenter options are invalid' },
  SEGMENTER_CLOSED: { recoverable: false, message: 'push() or flush() after flush()' },
} as const satisfies Record<string, { recoverable: boolean; message: string }>;

export type SegmenterErrorCode = keyof typeof SEGMENTER_ERRORS;

export class SegmenterError extends Error {
  readonly code: SegmenterErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: SegmenterErrorCode, message?: string, details?: Readonly<Record<string, unknown>>) {
    super(message ?? SEGMENTER_ERRORS[code].message);
    this.name = 'SegmenterError';
    this.code = code;
    this.details = details;
  }
}

export function isSegmenterError(value: unknown, code?: SegmenterErrorCode): value is SegmenterError {
  return value instanceof SegmenterError && (code === undefined || value.code === code);
}

/** The optional logger: pino's object-first signature, but no pino import. */
export interface SegmenterLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}
