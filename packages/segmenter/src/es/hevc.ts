/**
 * ITU-T H.265 7.4.2.2: nal_unit_type is 6 bits after the forbidden bit of the two-byte header.
 * Types 0..31 are VCL; 16..23 are IRAP (BLA, IDR, CRA), where a decoder can start.
 */

export const HEVC_NAL = {
  IRAP_FIRST: 16,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA: 21,
  IRAP_LAST: 23,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
} as const;

export function hevcNalType(headerByte: number): number {
  return (headerByte >> 1) & 0x3f;
}

/** Classifies a NAL by its first header byte: -1 not a slice, 0 a slice, 1 an IRAP slice. */
export function classifyHevcNal(headerByte: number): -1 | 0 | 1 {
  const type = (headerByte >> 1) & 0x3f;
  if (type >= HEVC_NAL.IRAP_FIRST && type <= HEVC_NAL.IRAP_LAST) return 1;
  return type < 32 ? 0 : -1;
}
