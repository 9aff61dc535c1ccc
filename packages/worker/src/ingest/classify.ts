/**
 * The ingest verdict, as a pure function: from ffprobe's result, the file size and (when the
 * trial runs have happened) what they measured, either a refusal with a stable code or a plan.
 */
import { displaySize, streamRotation, type ProbeResult, type ProbeStream } from '@kiln/shared';
import type { RefusalCode } from './errors.js';
import { decideNormalize } from './remux-rules.js';
import {
  audioStreams, averageFrameRate, chooseAudio, chooseVideo, isCoverArt, isHdr, isHighBitDepth,
  isInterlaced, isKnownCodec, looksVariable, outputFrameRate, sampleAspectRatio,
} from './streams.js';
import {
  DEFAULT_LIMITS, type IngestAudio, type IngestLimits, type IngestVideo, type MeasuredFacts, type Verdict,
} from './types.js';

export interface ClassifyInput {
  readonly probe: ProbeResult;
  readonly fileSize: number;
  /** Absent before the trial runs: damage (TRUNCATED, CORRUPT) cannot be judged then. */
  readonly facts?: MeasuredFacts;
  readonly limits?: IngestLimits;
}

const refuse = (code: RefusalCode, message: string): Verdict => ({ outcome: 'refused', refusal: { code, message } });

/** A declared length the packets do not reach by this much (and a second) is a cut-off file. */
const TRUNCATION_RATIO = 0.9;

export function classify(input: ClassifyInput): Verdict {
  const { probe, facts } = input;
  const limits = input.limits ?? DEFAULT_LIMITS;
  const formatName = probe.format?.format_name ?? '';
  const video = chooseVideo(probe);
  const audio = chooseAudio(probe);
  const streamsRefusal = checkStreams(probe, video, audio, facts);
  if (streamsRefusal !== undefined) return streamsRefusal;
  if (video !== undefined && (video.width ?? 0) * (video.height ?? 0) > limits.maxPixels) {
    const size = `${video.width}×${video.height}`;
    return refuse('TOO_LARGE', `the picture is ${size}; Kiln accepts at most ${limits.maxPixels} pixels (4096×2304)`);
  }
  const mp4Refusal = checkMp4View(facts);
  if (mp4Refusal !== undefined) return mp4Refusal;
  const duration = durationOf(probe, [video, audio], facts);
  if ('refusal' in duration) return duration.refusal;
  if (duration.seconds > limits.maxDurationSeconds) {
    return refuse('TOO_LONG', `the file lasts ${Math.round(duration.seconds)} s; Kiln accepts at most ${limits.maxDurationSeconds} s`);
  }
  const decodeRefusal = checkTrialDecode(video, facts);
  if (decodeRefusal !== undefined) return decodeRefusal;
  return {
    outcome: 'accepted',
    plan: {
      kind: video === undefined ? 'audio-only' : 'video',
      container: formatName,
      durationSeconds: duration.seconds,
      ...(video === undefined ? {} : { video: videoPlan(video, facts) }),
      ...(audio === undefined ? {} : { audio: audioPlan(probe, audio) }),
      normalize: decideNormalize({ formatName, video, audio, facts }),
      notes: [...duration.notes, ...trackNotes(probe, audio)],
    },
  };
}

function checkStreams(probe: ProbeResult, video: ProbeStream | undefined, audio: ProbeStream | undefined, facts?: MeasuredFacts): Verdict | undefined {
  if (video === undefined && audio === undefined) {
    const format = probe.format?.format_name ?? '';
    const coverOnly = probe.streams.some((stream) => isCoverArt(stream, format));
    const heardOf = audioStreams(probe).length > 0;
    if (heardOf) return refuse('UNSUPPORTED_CODEC', `the audio codec (${audioStreams(probe)[0]?.codec_name ?? 'unknown'}) cannot be decoded`);
    return refuse('NOT_A_VIDEO', coverOnly ? 'the file holds only a picture (cover art), no video or sound' : 'the file has no video or audio stream');
  }
  if (video !== undefined && !isKnownCodec(video)) {
    return refuse('UNSUPPORTED_CODEC', `the video codec (${video.codec_tag_string ?? 'unknown'}) cannot be decoded (H.266/VVC and newer are not supported)`);
  }
  if (facts?.trial.decoderMissing === true) {
    return refuse('UNSUPPORTED_CODEC', `no decoder for the ${video?.codec_name ?? audio?.codec_name ?? 'unknown'} stream`);
  }
  if (video !== undefined && (video.width === undefined || video.height === undefined || video.width <= 0)) {
    return refuse('CORRUPT', 'the video stream has no picture size');
  }
  return undefined;
}

function checkMp4View(facts: MeasuredFacts | undefined): Verdict | undefined {
  const problem = facts?.mp4Problem;
  if (problem === 'SOURCE_TRUNCATED' || problem === 'SOURCE_NO_MOOV') {
    return refuse('TRUNCATED', 'the MP4 ends before its media does (an interrupted upload?)');
  }
  return undefined;
}

type Duration = { seconds: number; notes: string[] } | { refusal: Verdict };

/**
 * How long the kept streams really last: their packets' extent when the scan saw them (a subtitle
 * or a preroll can make the container's figure longer), else the declared length. A declaration the
 * packets fall well short of is a cut-off file; a fragmented MP4 without mehd declares nonsense.
 */
function durationOf(probe: ProbeResult, kept: readonly (ProbeStream | undefined)[], facts?: MeasuredFacts): Duration {
  const primary = kept.find((stream) => stream !== undefined);
  const declared = positive(probe.format?.duration) ?? positive(primary?.duration);
  const measured = measuredExtent(probe, kept, facts);
  if (facts?.fragmentedMp4 === true && measured !== undefined) {
    const note = declared === undefined ? [] : [`fragmented MP4 declares ${declared} s; its packets last ${measured.toFixed(3)} s`];
    return { seconds: measured, notes: note };
  }
  if (declared !== undefined && measured !== undefined && measured < declared * TRUNCATION_RATIO && declared - measured > 1) {
    return { refusal: refuse('TRUNCATED', `the file declares ${declared.toFixed(1)} s but its media stops after ${measured.toFixed(1)} s (an interrupted upload?)`) };
  }
  const seconds = measured ?? declared;
  return seconds === undefined ? { refusal: refuse('NO_DURATION', 'neither the container nor its packets tell how long the file is') } : { seconds, notes: [] };
}

function measuredExtent(probe: ProbeResult, kept: readonly (ProbeStream | undefined)[], facts?: MeasuredFacts): number | undefined {
  const formatStart = Number(probe.format?.start_time ?? 0) || 0;
  const ends = kept.flatMap((stream) => {
    const scan = stream === undefined ? undefined : facts?.scan.get(stream.index);
    return scan === undefined || scan.timedPackets === 0 ? [] : [scan.end];
  });
  return ends.length === 0 ? undefined : positive(Math.max(...ends) - formatStart);
}

const positive = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

function checkTrialDecode(video: ProbeStream | undefined, facts?: MeasuredFacts): Verdict | undefined {
  if (facts === undefined) return undefined;
  const { trial } = facts;
  const frames = video === undefined ? trial.audioFrames : trial.videoFrames;
  if (frames > 0) return undefined;
  const what = video === undefined ? 'audio' : 'video';
  const reason = trial.errors[0] === undefined ? 'nothing came out' : trial.errors[0];
  return refuse('CORRUPT', `the ${what} does not decode: ${reason}`);
}

function videoPlan(stream: ProbeStream, facts?: MeasuredFacts): IngestVideo {
  const scan = facts?.scan.get(stream.index);
  const measured = scan === undefined ? undefined : { packets: scan.timedPackets, seconds: scan.last - scan.start };
  const sourceFps = averageFrameRate(stream, measured) ?? 25;
  const aspect = sampleAspectRatio(stream);
  const rotation = Math.round(streamRotation(stream) / 90) * 90 % 360;
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const pixelFormat = stream.pix_fmt ?? 'unknown';
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    display: displaySize({ width, height, rotation, ...(aspect === undefined ? {} : { sampleAspectRatio: aspect }) }),
    rotation,
    ...(aspect === undefined ? {} : { sampleAspectRatio: aspect }),
    frameRate: outputFrameRate(stream, sourceFps),
    sourceFrameRate: Math.round(sourceFps * 1000) / 1000,
    variableFrameRate: looksVariable(stream, sourceFps),
    interlaced: isInterlaced(stream),
    highBitDepth: isHighBitDepth(pixelFormat),
    hdr: isHdr(stream),
    pixelFormat,
  };
}

function audioPlan(probe: ProbeResult, stream: ProbeStream): IngestAudio {
  const language = stream.tags?.language;
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    sampleRate: stream.sample_rate ?? 48000,
    tracks: audioStreams(probe).filter(isKnownCodec).length,
    ...(language === undefined ? {} : { language }),
  };
}

function trackNotes(probe: ProbeResult, audio: ProbeStream | undefined): string[] {
  const tracks = audioStreams(probe).filter(isKnownCodec);
  if (audio === undefined || tracks.length < 2) return [];
  const language = audio.tags?.language === undefined ? '' : ` [${audio.tags.language}]`;
  return [`${tracks.length} audio tracks: kept stream ${audio.index} (${audio.codec_name ?? '?'}${language}), the default or first one`];
}
