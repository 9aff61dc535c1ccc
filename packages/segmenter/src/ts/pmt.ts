/** ISO/IEC 13818-1 2.4.4.8: TS_program_map_section (table_id 0x02) and the stream types we cut on. */
import { invalid, ok, type ParseResult } from '../parse-result.js';
import { checkLongSection } from './pat.js';

export const TABLE_ID_PMT = 0x02;

/** stream_type values (Table 2-34, and ISO/IEC 13818-1 amendments for HEVC). */
export const STREAM_TYPE = {
  AAC_ADTS: 0x0f,
  H264: 0x1b,
  HEVC: 0x24,
} as const;

export type CutCodec = 'h264' | 'hevc' | 'aac';

export interface PmtStream {
  readonly streamType: number;
  readonly pid: number;
}

export interface Pmt {
  readonly programNumber: number;
  readonly version: number;
  readonly pcrPid: number;
  readonly streams: readonly PmtStream[];
}

export function parsePmt(section: Uint8Array): ParseResult<Pmt> {
  const problem = checkLongSection(section, TABLE_ID_PMT);
  if (problem !== undefined) return invalid('PSI_INVALID', `PMT: ${problem}`);
  const loopEnd = section.length - 4;
  const programInfoLength = ((section[10] & 0x0f) << 8) | section[11];
  const streams: PmtStream[] = [];
  let i = 12 + programInfoLength;
  while (i + 5 <= loopEnd) {
    const esInfoLength = ((section[i + 3] & 0x0f) << 8) | section[i + 4];
    streams.push({ streamType: section[i], pid: ((section[i + 1] & 0x1f) << 8) | section[i + 2] });
    i += 5 + esInfoLength;
  }
  if (i !== loopEnd) return invalid('PSI_INVALID', 'PMT: descriptor lengths overrun the section');
  return ok({
    programNumber: (section[3] << 8) | section[4],
    version: (section[5] >> 1) & 0x1f,
    pcrPid: ((section[8] & 0x1f) << 8) | section[9],
    streams,
  });
}

export function cutCodecOf(streamType: number): CutCodec | undefined {
  switch (streamType) {
    case STREAM_TYPE.H264:
      return 'h264';
    case STREAM_TYPE.HEVC:
      return 'hevc';
    case STREAM_TYPE.AAC_ADTS:
      return 'aac';
    default:
      return undefined;
  }
}

/** The track segments are cut on: the first video stream, else the first AAC stream. */
export function chooseCutTrack(pmt: Pmt): { pid: number; codec: CutCodec } | undefined {
  let audio: { pid: number; codec: CutCodec } | undefined;
  for (const stream of pmt.streams) {
    const codec = cutCodecOf(stream.streamType);
    if (codec === 'h264' || codec === 'hevc') return { pid: stream.pid, codec };
    if (codec === 'aac' && audio === undefined) audio = { pid: stream.pid, codec };
  }
  return audio;
}
