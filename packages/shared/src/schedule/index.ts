export type { Rational, Seconds } from './rational.js';
export {
  add,
  compare,
  formatDecimal,
  formatShortDecimal,
  multiply,
  parseRational,
  periodsOf,
  rational,
  subtract,
  toNumber,
  toRational,
} from './rational.js';
export type { AudioPlan, AudioPlanOptions, AudioSegment, SegmentPlan, VideoPlan, VideoSegment } from './segment-schedule.js';
export {
  AAC_FRAME_SAMPLES,
  MAX_FRAME_RATE,
  MIN_FRAME_RATE,
  RAMP_SEGMENT_SECONDS,
  STEADY_SEGMENT_SECONDS,
  boundarySecond,
  checkFrameRate,
  firstFrameAtOrAfter,
  nominalSegmentSeconds,
  planAudioSchedule,
  planVideoSchedule,
  totalFrameCount,
} from './segment-schedule.js';
export {
  TIME_DECIMALS,
  extinf,
  forceKeyFramesArgument,
  formatSeconds,
  keyframeTimes,
  segmentAt,
  segmentIndexForTime,
  seekTime,
  targetDuration,
} from './lookup.js';
