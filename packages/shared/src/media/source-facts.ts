/**
 * A probed source's facts, read from ffprobe in this one place: the picture and the sound Kiln
 * keeps and how long they last. Ingest's plan, the transcode facts each worker plans from and the
 * video record's picture are all views of this model, so they cannot read one field two ways.
 */
import type { ProbeResult, ProbeStream } from '../ffmpeg/ffprobe.js';
import { toRational, type Rational } from '../schedule/rational.js';
import { averageFrameRate, looksVariable, outputFrameRate, type PacketCount } from './frame-rate.js';
import {
  audioStreams, chooseAudio, chooseVideo, isHdr, isHighBitDepth, isInterlaced, isKnownCodec,
  quarterTurns, sampleAspectRatio, streamDuration,
} from './source-streams.js';

export interface VideoFacts {
  /** ffprobe's stream index, for `-map 0:N` (cover art is never picked). */
  readonly index: number;
  readonly codec: string;
  /** Coded size, before rotation and pixel aspect. */
  readonly width: number;
  readonly height: number;
  /** Degrees clockwise as players apply it: 0, 90, 180 or 270 (ffmpeg applies it by itself). */
  readonly rotation: number;
  readonly sampleAspectRatio?: Rational;
  /** The constant frame rate the output has (a standard rate ≤ 60). */
  readonly frameRate: Rational;
  /** The source's own average rate as measured, for logs. */
  readonly sourceFrameRate: number;
  readonly variableFrameRate: boolean;
  readonly interlaced: boolean;
  /** More than 8 bits per sample: the output is converted to 8-bit 4:2:0. */
  readonly highBitDepth: boolean;
  /** PQ or HLG transfer: tone-mapped to SDR. */
  readonly hdr: boolean;
  readonly pixelFormat: string;
}

export interface AudioFacts {
  readonly index: number;
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
  /** How many decodable audio tracks there were; only `index` is kept. */
  readonly tracks: number;
  readonly language?: string;
  /** The audio stream's own length where the container declares it (it may end before the video). */
  readonly duration?: Rational;
  /** How much later than the video the audio starts, when it does (both start times known). */
  readonly delay?: Rational;
}

export interface SourceFacts {
  /** ffprobe's format name, e.g. `matroska,webm`. */
  readonly container: string;
  /** The kept picture's exact length (the sound's without one), else the container's. */
  readonly duration?: Rational;
  /**
   * The length the file claims, in seconds: the container's own figure first (it spans every
   * stream), else the kept stream's. What a packet scan is checked against for a cut-off file.
   */
  readonly declaredSeconds?: number;
  /** Absent for audio-only sources, and when the picture has no size. */
  readonly video?: VideoFacts;
  readonly audio?: AudioFacts;
}

export interface SourceFactsOptions {
  /** What a packet scan counted of a stream: the frame rate when the container gives none plausible. */
  readonly measured?: (streamIndex: number) => PacketCount | undefined;
}

/** A guess for a picture with no rate anywhere, so it can still be planned. */
const FALLBACK_FPS = 25;

function videoFacts(stream: ProbeStream, measured: PacketCount | undefined): VideoFacts | undefined {
  const { width, height } = stream;
  if (width === undefined || height === undefined || width <= 0 || height <= 0) return undefined;
  const sourceFps = averageFrameRate(stream, measured) ?? FALLBACK_FPS;
  const aspect = sampleAspectRatio(stream);
  const pixelFormat = stream.pix_fmt ?? 'unknown';
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    rotation: quarterTurns(stream),
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

function audioFacts(probe: ProbeResult, stream: ProbeStream, video: ProbeStream | undefined): AudioFacts {
  const { language } = stream.tags ?? {};
  const duration = streamDuration(stream);
  const late = stream.start_time !== undefined && video?.start_time !== undefined && stream.start_time > video.start_time;
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    sampleRate: stream.sample_rate ?? 48_000,
    tracks: audioStreams(probe).filter(isKnownCodec).length,
    ...(language === undefined ? {} : { language }),
    ...(duration === undefined ? {} : { duration }),
    ...(late ? { delay: toRational((stream.start_time ?? 0) - (video?.start_time ?? 0)) } : {}),
  };
}

const positive = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

/** The facts of the picture and sound a probe's file would be played from (see chooseVideo, chooseAudio). */
export function sourceFacts(probe: ProbeResult, options: SourceFactsOptions = {}): SourceFacts {
  const videoStream = chooseVideo(probe);
  const audioStream = chooseAudio(probe);
  const video = videoStream === undefined ? undefined : videoFacts(videoStream, options.measured?.(videoStream.index));
  const audio = audioStream === undefined ? undefined : audioFacts(probe, audioStream, videoStream);
  const main = video === undefined ? audioStream : videoStream;
  const container = probe.format?.duration;
  const duration = (main === undefined ? undefined : streamDuration(main)) ?? (container === undefined ? undefined : toRational(container));
  const declaredSeconds = positive(container) ?? positive((videoStream ?? audioStream)?.duration);
  return {
    container: probe.format?.format_name ?? '',
    ...(duration === undefined ? {} : { duration }),
    ...(declaredSeconds === undefined ? {} : { declaredSeconds }),
    ...(video === undefined ? {} : { video }),
    ...(audio === undefined ? {} : { audio }),
  };
}
