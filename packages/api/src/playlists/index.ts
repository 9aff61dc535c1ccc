export { renderMasterPlaylist, type MasterEntry } from './master.js';
export { renderVariantPlaylist, type VariantOptions } from './variant.js';
export { AUDIO_SAMPLE_RATE, renditionId, renditionsFor, sharedTargetDuration, type Rendition } from './renditions.js';
