export { VIDEO_STATES, ladderSource, recordFromFields, recordToFields, type VideoPicture, type VideoRecord, type VideoState } from './record.js';
export { isVideoId, newVideoId, sourceObjectKey, uploadObjectKey } from './keys.js';
export { createVideoStore, type SaveOptions, type VideoStore } from './store.js';
