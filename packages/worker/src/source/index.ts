export { SourceErrors, type SourceErrorCode } from './errors.js';
export { bufferRangeReader, countingReader, fileRangeReader, storageRangeReader } from './range-reader.js';
export type { ClosableRangeReader, CountingRangeReader, RangeReader, ReadStats } from './range-reader.js';
export { openFastStartView, type FastStartView } from './open.js';
export type { FastStartPlan, ViewPiece } from './plan.js';
export { createViewStream, DEFAULT_CHUNK_BYTES, readView, viewRangeReader, type ViewStreamOptions } from './view.js';
export { seekHold, serveView, type ViewEndpoint, type ViewEndpointOptions } from './endpoint.js';
export { MP4_DEMUXER, viewPipeInputArgs, viewUrlInputArgs, type ViewInputOptions } from './ffmpeg-input.js';
