/**
 * The video record moved to `@kiln/shared` (the worker's ingest job writes it too); this keeps the
 * API's imports of `../videos/record.js` working.
 */
export { VIDEO_STATES, ladderSource, recordFromFields, recordToFields } from '@kiln/shared';
export type { VideoPicture, VideoRecord, VideoState } from '@kiln/shared';
