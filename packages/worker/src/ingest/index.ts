export { IngestErrors, type IngestErrorCode, type RefusalCode } from './errors.js';
export { classify, type ClassifyInput } from './classify.js';
export { inspectSource, type Inspection, type InspectOptions } from './inspect.js';
export { normalizeArgs, normalizeSource, type NormalizeOptions, type NormalizeResult, type NormalizeTarget } from './normalize.js';
export { MEZZANINE_DEFAULTS, mezzanineArgs, remuxArgs, type MezzanineOptions } from './normalize-args.js';
export { probeArgs, scanArgs, trialArgs } from './probe-args.js';
export { MP4_AUDIO_CODECS, MP4_VIDEO_CODECS, decideNormalize } from './remux-rules.js';
export {
  DEFAULT_LIMITS,
  type IngestAudio, type IngestLimits, type IngestPlan, type IngestVideo, type MeasuredFacts,
  type NormalizeAction, type Refusal, type StreamScan, type TrialDecode, type Verdict,
} from './types.js';
