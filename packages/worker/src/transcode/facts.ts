/**
 * The facts about a source that a transcode and its plan depend on, taken from ffprobe. They are
 * cached per video (Redis) so every run of the same video plans the same schedule.
 */
import { WorkerErrors } from '../errors.js';
import {
  probeFrameRate, rational, streamRotation, toRational,
  type ProbeResult, type ProbeStream, type Rational,
} from '@kiln/shared';

export interface VideoFacts {
  /** ffprobe's stream index, for `-map 0:N` (cover art is never picked). */
  readonly index: number;
  readonly codec: string;
  /** Coded size, before rotation. */
  readonly width: number;
  readonly height: number;
  /** Degrees clockwise as players apply it (0, 90, 180, 270); ffmpeg applies it by itself. */
  readonly rotation: number;
  readonly sampleAspectRatio?: Rational;
  readonly frameRate: Rational;
  readonly interlaced: boolean;
  /** More than 8 bits per sample: the output is converted to 8-bit 4:2:0. */
  readonly highBitDepth: boolean;
  /** PQ or HLG transfer: tone-mapped to SDR. */
  readonly hdr: boolean;
}

export interface AudioFacts {
  readonly index: number;
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
  /** The audio stream's own length where the container declares it (it may end before the video). */
  readonly duration?: Rational;
  /** How much later than the video the audio starts, when it does (both start times known). */
  readonly delay?: Rational;
}

export interface SourceFacts {
  /** Video stream's length (or the audio's, for audio-only), exact where ffprobe gives ticks. */
  readonly duration: Rational;
  readonly video?: VideoFacts;
  readonly audio?: AudioFacts;
}

/** Above this, r_frame_rate is a timestamp grid rather than a frame rate (VFR phone files). */
const PLAUSIBLE_FRAME_RATE = 120;

function frameRateOf(stream: ProbeStream): Rational | undefined {
  const real = probeFrameRate(stream.r_frame_rate);
  if (real !== undefined && real.num / real.den <= PLAUSIBLE_FRAME_RATE) return real;
  return probeFrameRate(stream.avg_frame_rate) ?? real;
}

/** duration_ts × time_base when ffprobe printed them (exact), else its decimal duration. */
function streamDuration(stream: ProbeStream): Rational | undefined {
  const ticks = Number(stream.duration_ts);
  const base = typeof stream.time_base === 'string' ? probeFrameRate(stream.time_base) : undefined;
  if (Number.isSafeInteger(ticks) && ticks > 0 && base !== undefined) return rational(ticks * base.num, base.den);
  return stream.duration === undefined ? undefined : toRational(stream.duration);
}

function sampleAspect(stream: ProbeStream): Rational | undefined {
  const match = /^(\d+):(\d+)$/.exec(typeof stream.sample_aspect_ratio === 'string' ? stream.sample_aspect_ratio : '');
  if (!match) return undefined;
  const [num, den] = [Number(match[1]), Number(match[2])];
  return num > 0 && den > 0 && num !== den ? rational(num, den) : undefined;
}

function videoFacts(stream: ProbeStream): VideoFacts | undefined {
  const frameRate = frameRateOf(stream);
  if (stream.width === undefined || stream.height === undefined || frameRate === undefined) return undefined;
  const aspect = sampleAspect(stream);
  const fieldOrder = stream.field_order ?? 'progressive';
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    width: stream.width,
    height: stream.height,
    rotation: streamRotation(stream),
    ...(aspect === undefined ? {} : { sampleAspectRatio: aspect }),
    frameRate,
    interlaced: !['progressive', 'unknown'].includes(fieldOrder),
    highBitDepth: /(9|10|12|14|16)(le|be)$/.test(stream.pix_fmt ?? ''),
    hdr: ['smpte2084', 'arib-std-b67'].includes(stream.color_transfer ?? ''),
  };
}

function audioFacts(stream: ProbeStream): AudioFacts {
  const duration = streamDuration(stream);
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    sampleRate: stream.sample_rate ?? 48_000,
    ...(duration === undefined ? {} : { duration }),
  };
}

function withDelay(audio: AudioFacts, stream: ProbeStream, video: ProbeStream | undefined): AudioFacts {
  if (stream.start_time === undefined || video?.start_time === undefined || stream.start_time <= video.start_time) return audio;
  return { ...audio, delay: toRational(stream.start_time - video.start_time) };
}

/** The first real video stream (not cover art) and the first audio stream of a probe. */
export function sourceFactsFromProbe(probe: ProbeResult): SourceFacts {
  const videoStream = probe.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioStream = probe.streams.find((s) => s.codec_type === 'audio');
  const video = videoStream === undefined ? undefined : videoFacts(videoStream);
  const audio = audioStream === undefined ? undefined : withDelay(audioFacts(audioStream), audioStream, videoStream);
  const main = video === undefined ? audioStream : videoStream;
  const fromFormat = probe.format?.duration === undefined ? undefined : toRational(probe.format.duration);
  const duration = (main === undefined ? undefined : streamDuration(main)) ?? fromFormat;
  if ((video === undefined && audio === undefined) || duration === undefined || duration.num <= 0) {
    throw WorkerErrors.create('SOURCE_UNUSABLE', 'the source has no video or audio stream with a known duration', {
      details: { streams: probe.streams.map((s) => s.codec_type) },
    });
  }
  return { duration, ...(video === undefined ? {} : { video }), ...(audio === undefined ? {} : { audio }) };
}

/** Facts back from their JSON form (the Redis cache), checked enough to trust. */
export function parseSourceFacts(json: string): SourceFacts | undefined {
  try {
    const value = JSON.parse(json) as SourceFacts;
    return typeof value.duration?.num === 'number' && typeof value.duration.den === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
