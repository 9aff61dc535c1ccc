/**
 * Pure readings of ffprobe's streams: which one is the picture (cover art is not), which audio
 * track to keep, and the constant frame rate the output should have.
 */
import { probeFrameRate, rational, type ProbeResult, type ProbeStream, type Rational } from '@kiln/shared';

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

const isDefault = (stream: ProbeStream): boolean =>
  (stream.disposition as { default?: number } | undefined)?.default === 1;

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

/** Output rates a player expects; a VFR or odd-rate source is snapped to the nearest. */
export const STANDARD_FRAME_RATES: readonly Rational[] = [
  rational(10), rational(12), rational(25, 2), rational(15), rational(24000, 1001), rational(24), rational(25),
  rational(30000, 1001), rational(30), rational(48), rational(50), rational(60000, 1001), rational(60),
];

const value = (rate: Rational): number => rate.num / rate.den;

/** The standard rate nearest to `fps` by ratio (so 10.5 → 10 and 90 → 60); ties go to the lower. */
export function nearestStandardRate(fps: number): Rational {
  let best = STANDARD_FRAME_RATES[0] ?? rational(25);
  for (const rate of STANDARD_FRAME_RATES) {
    if (Math.abs(Math.log(value(rate) / fps)) < Math.abs(Math.log(value(best) / fps))) best = rate;
  }
  return best;
}

/** Rates above this are timestamp grids (1000 for ms time bases), not frame rates. */
const PLAUSIBLE_FPS = 240;

const plausible = (rate: Rational | undefined): number | undefined =>
  rate !== undefined && value(rate) <= PLAUSIBLE_FPS ? value(rate) : undefined;

/**
 * The source's average frame rate: ffprobe's avg_frame_rate when it is plausible, else the rate
 * measured from the packets (mkv and flv report 1000/1; asf reports nothing), else r_frame_rate.
 */
export function averageFrameRate(stream: ProbeStream, measured?: { packets: number; seconds: number }): number | undefined {
  const average = plausible(probeFrameRate(stream.avg_frame_rate));
  if (average !== undefined) return average;
  if (measured !== undefined && measured.packets >= 2 && measured.seconds > 0) {
    const fps = (measured.packets - 1) / measured.seconds;
    if (fps > 0 && fps <= PLAUSIBLE_FPS) return fps;
  }
  return plausible(probeFrameRate(stream.r_frame_rate));
}

/**
 * The output's constant rate. A source that only drops frames from a standard nominal rate keeps
 * it (27.5 average at a nominal 30 → 30); anything else snaps to the standard rate nearest its average.
 */
export function outputFrameRate(stream: ProbeStream, averageFps: number): Rational {
  const nominal = probeFrameRate(stream.r_frame_rate);
  const standard = STANDARD_FRAME_RATES.find((rate) => nominal !== undefined && rate.num === nominal.num && rate.den === nominal.den);
  const ratio = standard === undefined ? 0 : averageFps / value(standard);
  return standard !== undefined && ratio >= 0.85 && ratio <= 1.01 ? standard : nearestStandardRate(averageFps);
}

/** True when the nominal and average rates disagree by more than 1 %: frames are not evenly spaced. */
export function looksVariable(stream: ProbeStream, averageFps: number): boolean {
  const nominal = probeFrameRate(stream.r_frame_rate);
  return nominal === undefined || Math.abs(value(nominal) / averageFps - 1) > 0.01;
}

export function sampleAspectRatio(stream: ProbeStream): Rational | undefined {
  const text = typeof stream.sample_aspect_ratio === 'string' ? stream.sample_aspect_ratio : '';
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) return undefined;
  const [num, den] = [Number(match[1]), Number(match[2])];
  return num > 0 && den > 0 && num !== den ? rational(num, den) : undefined;
}

const INTERLACED_ORDERS = new Set(['tt', 'bb', 'tb', 'bt']);
export const isInterlaced = (stream: ProbeStream): boolean => INTERLACED_ORDERS.has(stream.field_order ?? '');

/** More than 8 bits per sample: pixel formats such as yuv420p10le, p010le, yuv444p12le. */
export const isHighBitDepth = (pixelFormat: string): boolean => /p(9|10|12|14|16)(le|be)?$|^p0[1-9]0/.test(pixelFormat);

export const isHdr = (stream: ProbeStream): boolean => ['smpte2084', 'arib-std-b67'].includes(stream.color_transfer ?? '');
