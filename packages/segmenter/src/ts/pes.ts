/** ISO/IEC 13818-1 2.4.3.6: the PES packet header, as far as cutting needs it (stream id, PTS, DTS). */
import { invalid, needMoreData, ok, type ParseResult } from '../parse-result.js';
import { readTimestamp } from './timestamp.js';

export interface PesHeader {
  readonly streamId: number;
  /** 33-bit PTS, or -1 when the header has none. */
  readonly pts: number;
  /** 33-bit DTS; equals pts when the header carries no DTS (or -1 without either). */
  readonly dts: number;
  /** Bytes from packet_start_code_prefix to the first payload byte. */
  readonly headerLength: number;
}

/** stream_ids without the optional header (Table 2-22): program_stream_map, padding, private_2, ECM, EMM, directory, DSMCC, H.222.1 E. */
const NO_OPTIONAL_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8]);

/** The fixed part up to PES_header_data_length. */
export const PES_FIXED_HEADER = 9;
/** The longest possible header: fixed part plus a 255-byte PES_header_data_length. */
export const PES_MAX_HEADER = PES_FIXED_HEADER + 255;

/** Parses the header in buf[start, end); need-more-data carries the total header length wanted. */
export function parsePesHeader(buf: Uint8Array, start: number, end: number): ParseResult<PesHeader> {
  const available = end - start;
  if (available < 6) return needMoreData(PES_FIXED_HEADER);
  if (buf[start] !== 0 || buf[start + 1] !== 0 || buf[start + 2] !== 1) {
    return invalid('PES_INVALID', 'missing packet_start_code_prefix');
  }
  const streamId = buf[start + 3];
  if (NO_OPTIONAL_HEADER.has(streamId)) return ok({ streamId, pts: -1, dts: -1, headerLength: 6 });
  if (available < PES_FIXED_HEADER) return needMoreData(PES_FIXED_HEADER);
  if ((buf[start + 6] & 0xc0) !== 0x80) return invalid('PES_INVALID', "optional header does not start with '10'");
  const flags = buf[start + 7] >> 6;
  const headerLength = PES_FIXED_HEADER + buf[start + 8];
  if (flags === 1) return invalid('PES_INVALID', 'PTS_DTS_flags is the forbidden 01');
  const needed = flags === 3 ? 19 : flags === 2 ? 14 : PES_FIXED_HEADER;
  if (needed > headerLength) return invalid('PES_INVALID', 'PES_header_data_length too short for PTS/DTS');
  if (available < headerLength) return needMoreData(headerLength);
  const pts = flags >= 2 ? readTimestamp(buf, start + 9) : -1;
  const dts = flags === 3 ? readTimestamp(buf, start + 14) : pts;
  if (flags >= 2 && (pts < 0 || dts < 0)) return invalid('PES_INVALID', 'timestamp marker bit is 0');
  return ok({ streamId, pts, dts, headerLength });
}
