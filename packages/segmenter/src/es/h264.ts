/** ITU-T H.264 7.4.1.2: nal_unit_type in the low 5 bits of the one-byte NAL header. */

export const H264_NAL = {
  NON_IDR_SLICE: 1,
  IDR_SLICE: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
} as const;

export function h264NalType(headerByte: number): number {
  return headerByte & 0x1f;
}

/** Classifies a NAL by its first header byte: -1 not a slice, 0 a slice, 1 an IDR slice. */
export function classifyH264Nal(headerByte: number): -1 | 0 | 1 {
  const type = headerByte & 0x1f;
  if (type === H264_NAL.IDR_SLICE) return 1;
  return type >= 1 && type <= 4 ? 0 : -1;
}
