/**
 * Pure readings of ffprobe's streams: which one is the picture (cover art is not), which audio
 * track to keep, and the fields a source's facts are made of.
 */
import { probeFrameRate, streamRotation, type ProbeResult, type ProbeStream } from '../ffmpeg/ffprobe.js';
import { rational, toRational, type Rational } from '../schedule/rational.js';

/** Codecs that are still pictures; in an audio container, or as a single frame, they are cover art. */
const PICTURE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff']);
/** Audio-only containers (ffprobe's exact format names), where a picture stream is an embedded image. */
const AUDIO_CONTAINERS = new Set(['mp3', 'flac', 'ogg', 'wav', 'aiff', 'ape', 'wv']);

export function isCoverArt(stream: ProbeStream, formatName: string): boolean {
  if (stream.disposition?.attached_pic === 1) return true;
  if (!PICTURE_CODECS.has(stream.codec_name ?? '')) return false;
  const singleFrame = stream.nb_frames !== undefined && stream.nb_frames <= 1;
  return singleFrame || AUDIO_CONTAINERS.has(formatName);
}

/** ffprobe names a codec it has no decoder for as nothing, 'none' or 'unknown'. */
export function isKnownCodec(stream: ProbeStream): boolean {
  const name = stream.codec_name ?? '';
  return name !== '' && name !== 'none' && name !== 'unknown';
}

export function videoStreams(probe: ProbeResult): ProbeStream[] {
  const format = probe.format?.format_name ?? '';
  return probe.streams.filter((stream) => stream.codec_type === 'video' && !isCoverArt(stream, format));
}

export function audioStreams(probe: ProbeResult): ProbeStream[] {
  return probe.streams.filter((stream) => stream.codec_type === 'audio');
}

const isDefault = (stream: ProbeStream): boolean => stream.disposition?.default === 1;

/** The video to keep: the first default one with a known codec, else the first known, else the first. */
export function chooseVideo(probe: ProbeResult): ProbeStream | undefined {
  return pickPreferred(videoStreams(probe));
}

/** The audio track to keep, by the same rule; the others are dropped (HLS renditions carry one). */
export function chooseAudio(probe: ProbeResult): ProbeStream | undefined {
  return pickPreferred(audioStreams(probe).filter(isKnownCodec));
}

function pickPreferred(streams: ProbeStream[]): ProbeStream | undefined {
  const known = streams.filter(isKnownCodec);
  return known.find(isDefault) ?? known[0] ?? streams[0];
}

/** Rotation as players apply it, in whole quarter turns: 0, 90, 180 or 270. */
export const quarterTurns = (stream: ProbeStream): number => Math.round(streamRotation(stream) / 90) * 90 % 360;

/** The pixel aspect ratio when it is not square ("64:45"); "0:1" and "1:1" are none. */
export function sampleAspectRatio(stream: ProbeStream): Rational | undefined {
  const match = /^(\d+):(\d+)$/.exec(stream.sample_aspect_ratio ?? '');
  if (!match) return undefined;
  const [num, den] = [Number(match[1]), Number(match[2])];
  return num > 0 && den > 0 && num !== den ? rational(num, den) : undefined;
}

const INTERLACED_ORDERS = new Set(['tt', 'bb', 'tb', 'bt']);
export const isInterlaced = (stream: ProbeStream): boolean => INTERLACED_ORDERS.has(stream.field_order ?? '');

/** More than 8 bits per sample: pixel formats such as yuv420p10le, p010le, gray12le (not nv12). */
export const isHighBitDepth = (pixelFormat: string): boolean =>
  /(9|10|12|14|16)(le|be)$|p(9|10|12|14|16)$|^p0[1-9]0/.test(pixelFormat);

/** PQ or HLG transfer: an HDR picture. */
export const isHdr = (stream: ProbeStream): boolean => ['smpte2084', 'arib-std-b67'].includes(stream.color_transfer ?? '');

/** A stream's exact length: duration_ts × time_base when ffprobe printed them, else its decimal duration. */
export function streamDuration(stream: ProbeStream): Rational | undefined {
  const ticks = Number(stream.duration_ts);
  const base = typeof stream.time_base === 'string' ? probeFrameRate(stream.time_base) : undefined;
  if (Number.isSafeInteger(ticks) && ticks > 0 && base !== undefined) return rational(ticks * base.num, base.den);
  return stream.duration === undefined ? undefined : toRational(stream.duration);
}
