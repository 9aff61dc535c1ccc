/**
 * @kiln/segmenter: a streaming MPEG-TS cutter. No I/O, no dependencies.
 * See README.md for the API and the schedule conventions.
 */
export { Segmenter } from './segmenter.js';
export { DEFAULT_AUDIO_PES_BYTES } from './audio-pes.js';
export { segmentStream } from './stream.js';
export { boundariesFromDurations, secondsToTicks } from './duration-boundaries.js';
export { segmentBytes, type Segment, type SegmenterOptions, type SegmenterStats } from './segment.js';
export { checkSegment } from './check.js';
export { SEGMENTER_ERRORS, SegmenterError, isSegmenterError, type SegmenterErrorCode, type SegmenterLogger } from './errors.js';
export { Chunker, type AccessUnit, type BoundaryOrigin, type ChunkerOptions, type SegmentTiming } from './chunker.js';
export { CLOCK_HZ, TIMESTAMP_MODULUS } from './ts/timestamp.js';
