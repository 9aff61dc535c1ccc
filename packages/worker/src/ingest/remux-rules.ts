/**
 * How a source becomes the one kind of input workers read (MP4 with its moov first). Pure:
 * decided from ffprobe's names and what the trial runs saw.
 */
import type { ProbeStream } from '@kiln/shared';
import type { MeasuredFacts, NormalizeAction } from './types.js';

/** ffprobe's name for the demuxer of MP4, MOV, 3GP and M4A alike. */
export const MOV_FAMILY = 'mov,mp4,m4a,3gp,3g2,mj2';

/** Video codecs ffmpeg 5.1 muxes into MP4 without `-strict` and reads back with exact timing. */
export const MP4_VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'hevc', 'av1', 'vp9', 'mpeg4', 'mpeg2video', 'mpeg1video']);
/** Audio codecs MP4 carries as they are (opus and flac are still experimental in ffmpeg 5.1's mp4 muxer). */
export const MP4_AUDIO_CODECS: ReadonlySet<string> = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'mp2']);
/**
 * Containers whose packets carry reliable timestamps. AVI (no PTS for B-frames) and raw
 * elementary streams (no timestamps at all) are re-encoded instead: a copy would need invented times.
 */
const TIMED_CONTAINERS: readonly string[] = ['matroska', 'webm', 'mpegts', 'flv', 'mpeg', 'mxf', 'asf', 'ogg', 'mp3', 'mov'];

export const isMovFamily = (formatName: string): boolean => formatName === MOV_FAMILY || formatName.startsWith('mov,');

const hasTimedContainer = (formatName: string): boolean =>
  formatName.split(',').some((name) => TIMED_CONTAINERS.includes(name));

export interface NormalizeInput {
  readonly formatName: string;
  readonly video?: ProbeStream;
  readonly audio?: ProbeStream;
  readonly facts?: MeasuredFacts;
}

/** 'copy' when MP4 takes the track as it is, 'aac' when only the audio must change, 'none' without audio. */
export function audioHandling(audio: ProbeStream | undefined): 'copy' | 'aac' | 'none' {
  if (audio === undefined) return 'none';
  return MP4_AUDIO_CODECS.has(audio.codec_name ?? '') ? 'copy' : 'aac';
}

export function decideNormalize(input: NormalizeInput): NormalizeAction {
  if (isMovFamily(input.formatName)) return movAction(input);
  const audio = audioHandling(input.audio);
  if (input.video === undefined) return { kind: 'remux', audio, reason: 'audio-only: the track goes into an MP4' };
  const mezzanineReason = whyReencode(input);
  if (mezzanineReason !== undefined) return { kind: 'mezzanine', reason: mezzanineReason };
  const codec = input.video.codec_name ?? '';
  return { kind: 'remux', audio, reason: `${codec} is copied into an MP4${audio === 'aac' ? '; audio becomes AAC' : ''}` };
}

function movAction(input: NormalizeInput): NormalizeAction {
  const audio = audioHandling(input.audio);
  if (input.facts?.fragmentedMp4 === true) {
    return { kind: 'remux', audio, reason: 'fragmented MP4: remuxed into one moov with a true duration' };
  }
  const problem = input.facts?.mp4Problem;
  if (problem !== undefined) return { kind: 'remux', audio, reason: `the fast-start view cannot read it (${problem})` };
  return { kind: 'none' };
}

/** Why the video cannot be copied, or undefined when a remux keeps it exactly. */
function whyReencode(input: NormalizeInput): string | undefined {
  const codec = input.video?.codec_name ?? '';
  if (!MP4_VIDEO_CODECS.has(codec)) return `${codec} video does not go into an MP4`;
  if (!hasTimedContainer(input.formatName)) return `${input.formatName} has no reliable timestamps`;
  const scan = input.video === undefined ? undefined : input.facts?.scan.get(input.video.index);
  if (scan !== undefined && scan.untimed > 0) return `${scan.untimed} video packets carry no timestamp`;
  const errors = input.facts?.trial.errorLines ?? 0;
  if (errors > 0) return `the decode reported ${errors} errors: re-encoded from what decodes`;
  return undefined;
}
