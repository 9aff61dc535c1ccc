/**
 * The ingest verdict, as a pure function: from ffprobe's result, the file size and (when the
 * trial runs have happened) what they measured, either a refusal with a stable code or a plan.
 */
import {
  audioStreams, chooseAudio, chooseVideo, displaySize, isCoverArt, isKnownCodec, sourceFacts,
  type AudioFacts, type PacketCount, type ProbeResult, type ProbeStream, type SourceFacts, type VideoFacts,
} from '@kiln/shared';
import type { RefusalCode } from './errors.js';
import { decideNormalize } from './remux-rules.js';
import { DEFAULT_LIMITS, type IngestLimits, type IngestVideo, type MeasuredFacts, type Verdict } from './types.js';

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
  const source = sourceFacts(probe, { measured: (index) => packetCount(facts, index) });
  const duration = durationOf(probe, source, facts);
  if ('refusal' in duration) return duration.refusal;
  if (duration.seconds > limits.maxDurationSeconds) {
    return refuse('TOO_LONG', `the file lasts ${Math.round(duration.seconds)} s; Kiln accepts at most ${limits.maxDurationSeconds} s`);
  }
  const decodeRefusal = checkTrialDecode(video, facts);
  if (decodeRefusal !== undefined) return decodeRefusal;
  return {
    outcome: 'accepted',
    plan: {
      kind: source.video === undefined ? 'audio-only' : 'video',
      container: source.container,
      durationSeconds: duration.seconds,
      ...(source.video === undefined ? {} : { video: withDisplay(source.video) }),
      ...(source.audio === undefined ? {} : { audio: source.audio }),
      normalize: decideNormalize({ formatName: source.container, video, audio, facts }),
      notes: [...duration.notes, ...trackNotes(source.audio)],
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
  if (video !== undefined && ((video.width ?? 0) <= 0 || (video.height ?? 0) <= 0)) {
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
function durationOf(probe: ProbeResult, source: SourceFacts, facts?: MeasuredFacts): Duration {
  const declared = source.declaredSeconds;
  const measured = measuredExtent(probe, [source.video?.index, source.audio?.index], facts);
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

function measuredExtent(probe: ProbeResult, kept: readonly (number | undefined)[], facts?: MeasuredFacts): number | undefined {
  const formatStart = Number(probe.format?.start_time ?? 0) || 0;
  const ends = kept.flatMap((index) => {
    const scan = index === undefined ? undefined : facts?.scan.get(index);
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

/** The scan's count of a stream, for the frame rate of a container that reports none plausible. */
function packetCount(facts: MeasuredFacts | undefined, index: number): PacketCount | undefined {
  const scan = facts?.scan.get(index);
  return scan === undefined ? undefined : { packets: scan.timedPackets, seconds: scan.last - scan.start };
}

function withDisplay(video: VideoFacts): IngestVideo {
  const { width, height, rotation, sampleAspectRatio } = video;
  return { ...video, display: displaySize({ width, height, rotation, ...(sampleAspectRatio === undefined ? {} : { sampleAspectRatio }) }) };
}

function trackNotes(audio: AudioFacts | undefined): string[] {
  if (audio === undefined || audio.tracks < 2) return [];
  const language = audio.language === undefined ? '' : ` [${audio.language}]`;
  return [`${audio.tracks} audio tracks: kept stream ${audio.index} (${audio.codec}${language}), the default or first one`];
}
