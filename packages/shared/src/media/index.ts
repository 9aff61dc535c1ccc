export type { DeviceProfile, H264Level, H264Settings, ProfileName } from './profiles.js';
export {
  DEVICE_PROFILES,
  H264_LEVELS,
  PROFILE_NAMES,
  deviceProfile,
  isProfileName,
  parseProfile,
  profileNameSchema,
} from './profiles.js';
export { AAC_LC_CODEC, avcCodecString, codecsAttribute } from './codecs.js';
export type { Box, Size, VideoSource } from './geometry.js';
export { displaySize, even, fitScale, macroblocks, normalizeRotation, scaledEven, shortSide } from './geometry.js';
export type { DeclaredBandwidth, MuxedStreams, RateControl } from './bandwidth.js';
export {
  MAXRATE_RATIO,
  PEAK_ALLOWANCE,
  PSI_PERIOD_SECONDS,
  SHORTEST_WINDOW_SECONDS,
  VBV_BUFFER_SECONDS,
  declaredBandwidth,
  expectedPacketsPerPes,
  mpegTsBitrate,
  peakVideoBitrate,
  rateControl,
  worstCaseVideoBitrate,
} from './bandwidth.js';
export type { MeasuredSegment } from './segment-bitrates.js';
export { averageBitrate, peakSegmentBitrate } from './segment-bitrates.js';
export type { AudioOnlySource, AudioRung, LadderSource, Rung, RungSpec, VideoRung } from './ladder.js';
export {
  AUDIO_ONLY_BITRATES,
  CELLULAR_BITRATE_LIMIT,
  RUNGS,
  chooseLadder,
  isAudioOnly,
  rungFrameRate,
} from './ladder.js';
export type { PacketCount } from './frame-rate.js';
export { formatFrameRate } from './frame-rate.js';
export type { AudioFacts, SourceFacts, SourceFactsOptions, VideoFacts } from './source-facts.js';
export { sourceFacts } from './source-facts.js';
export { audioStreams, chooseAudio, chooseVideo, isCoverArt, isKnownCodec } from './source-streams.js';
export { profileFromUserAgent } from './user-agent.js';
