export { renderMasterPlaylist, type MasterEntry } from './master.js';
export { DEFAULT_START_BANDWIDTH, startFirst, startRendition, type StartHints } from './start-variant.js';
export { renderVariantPlaylist, type VariantOptions } from './variant.js';
export { AUDIO_SAMPLE_RATE, renditionId, renditionsFor, sharedTargetDuration, type Rendition } from './renditions.js';
export { MIN_MEASURED_SECONDS, withMeasuredAverage } from './measured-rates.js';
