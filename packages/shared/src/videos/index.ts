export { VIDEO_STATES, ladderSource, recordFromFields, recordToFields, videoPicture, type VideoPicture, type VideoRecord, type VideoState } from './record.js';
export { isVideoId, newVideoId, segmentAccessMember, segmentAccessPattern, segmentObjectKey, segmentsPrefix, sourceObjectKey, uploadObjectKey, uploadPartKey, uploadPartsPrefix } from './keys.js';
export { parseSegmentCacheEntry, type SegmentCacheEntry } from './segment-entry.js';
export { createVideoStore, type SaveOptions, type VideoStore } from './store.js';
