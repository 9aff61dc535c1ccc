/**
 * HLS CODECS strings (RFC 6381 as used by RFC 8216 4.3.4.2): `avc1.PPCCLL` from the three SPS bytes
 * profile_idc, constraint flags and level_idc, and `mp4a.40.2` for AAC-LC.
 */
import type { H264Settings } from './profiles.js';

/** MPEG-4 audio object type 2: AAC Low Complexity. */
export const AAC_LC_CODEC = 'mp4a.40.2';

function hexByte(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${value} is not a byte`);
  return value.toString(16).padStart(2, '0');
}

/** `avc1.42c01e` for Constrained Baseline 3.0, `avc1.4d401f` Main 3.1, `avc1.640028` High 4.0. */
export function avcCodecString(h264: Pick<H264Settings, 'profileIdc' | 'constraintFlags' | 'level'>): string {
  return `avc1.${hexByte(h264.profileIdc)}${hexByte(h264.constraintFlags)}${hexByte(h264.level.idc)}`;
}

/** The CODECS attribute value: video first, then audio, for whichever streams the rendition has. */
export function codecsAttribute(streams: { readonly video?: H264Settings; readonly audio: boolean }): string {
  const codecs = [streams.video === undefined ? undefined : avcCodecString(streams.video), streams.audio ? AAC_LC_CODEC : undefined];
  const present = codecs.filter((codec): codec is string => codec !== undefined);
  if (present.length === 0) throw new RangeError('a rendition needs video or audio');
  return present.join(',');
}
