export { OPENING_STATES, VIDEO_STATES, ladderSource, recordFromFields, recordToFields, videoPicture, type VideoPicture, type OpeningState, type VideoRecord, type VideoState } from './record.js';
export { isVideoId, newVideoId, parseSegmentObjectKey, segmentAccessMember, segmentAccessPattern, segmentObjectKey, segmentsPrefix, sourceObjectKey, uploadObjectKey, uploadPartKey, uploadPartsPrefix } from './keys.js';
export { MAX_SEGMENT_NUMBER, parseSegmentFileName, segmentFileName } from './segment-file.js';
export { parseSegmentCacheEntry, type SegmentCacheEntry } from './segment-entry.js';
export { createVideoStore, type SaveOptions, type VideoStore } from './store.js';
