/**
 * Small bit-annotated builders for tests: PSI sections, PES packets, TS packets, elementary
 * stream units, and whole synthetic streams. Not exported from the package entry point.
 */
import { PACKET_SIZE, SYNC_BYTE } from '../ts/packet.js';
import { STREAM_TYPE } from '../ts/pmt.js';
import { crc32Mpeg2, packetizeSection } from '../ts/section.js';
import { writeTimestamp } from '../ts/timestamp.js';

export interface PacketFields {
  readonly pid: number;
  readonly pusi?: boolean;
  readonly cc?: number;
  /** Bytes after the header (and adaptation field); stuffing fills the rest. */
  readonly payload?: Uint8Array;
  /** Adds an adaptation field of this total length (length byte excluded), stuffed with 0xFF. */
  readonly adaptationLength?: number;
  readonly discontinuity?: boolean;
  readonly transportError?: boolean;
}

/** One 188-byte packet. Payload beyond the room left is an error in the test, so it throws. */
export function packet(fields: PacketFields): Uint8Array {
  const out = new Uint8Array(PACKET_SIZE).fill(0xff);
  const payload = fields.payload ?? new Uint8Array(0);
  const room = PACKET_SIZE - 4;
  // A short payload is padded with adaptation-field stuffing, as muxers do for the last packet of a PES.
  const afLength = fields.adaptationLength ?? (payload.length < room ? Math.max(0, room - payload.length - 1) : undefined);
  const hasAf = afLength !== undefined;
  out[0] = SYNC_BYTE; //                                  sync_byte 0x47
  out[1] = (fields.transportError ? 0x80 : 0) | //        transport_error_indicator
    (fields.pusi ? 0x40 : 0) | //                          payload_unit_start_indicator
    ((fields.pid >> 8) & 0x1f); //                         PID[12..8]
  out[2] = fields.pid & 0xff; //                          PID[7..0]
  out[3] = ((hasAf ? 2 : 0) | (payload.length > 0 ? 1 : 0)) << 4 | ((fields.cc ?? 0) & 0x0f); // adaptation_field_control, continuity_counter
  let q = 4;
  if (hasAf) {
    out[q++] = afLength; //                                 adaptation_field_length
    if (afLength > 0) out[q++] = fields.discontinuity ? 0x80 : 0x00; // discontinuity_indicator, no other flags
    q = 5 + afLength;
  }
  if (q + payload.length > PACKET_SIZE) throw new RangeError(`payload of ${payload.length} bytes does not fit`);
  out.set(payload, q);
  return out;
}

export function patSection(programs: readonly { program: number; pmtPid: number }[], version = 0, tsId = 1): Uint8Array {
  const body: number[] = [];
  for (const { program, pmtPid } of programs) body.push(program >> 8, program & 0xff, 0xe0 | (pmtPid >> 8), pmtPid & 0xff);
  return longSection(0x00, tsId, version, body);
}

export interface PmtStreamFields {
  readonly type: number;
  readonly pid: number;
  readonly esInfo?: readonly number[];
}

export function pmtSection(streams: readonly PmtStreamFields[], options: { program?: number; version?: number; pcrPid?: number } = {}): Uint8Array {
  const pcrPid = options.pcrPid ?? streams[0]?.pid ?? 0x1fff;
  const body: number[] = [0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0x00]; // PCR_PID, program_info_length 0
  for (const s of streams) {
    const info = s.esInfo ?? [];
    body.push(s.type, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0 | (info.length >> 8), info.length & 0xff, ...info);
  }
  return longSection(0x02, options.program ?? 1, options.version ?? 0, body);
}

/** table_id, section_syntax_indicator=1, the id field, version, current_next=1, section 0 of 0, body, CRC_32. */
function longSection(tableId: number, idField: number, version: number, body: readonly number[]): Uint8Array {
  const length = 5 + body.length + 4; // bytes after section_length
  const s = new Uint8Array(3 + length);
  s.set([tableId, 0xb0 | (length >> 8), length & 0xff, idField >> 8, idField & 0xff, 0xc1 | ((version & 0x1f) << 1), 0, 0]);
  s.set(body, 8);
  const crc = crc32Mpeg2(s, 0, s.length - 4);
  s.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], s.length - 4);
  return s;
}

export const pat = (pmtPid = 0x1000, cc = 0, version = 0): Uint8Array =>
  packetizeSection(0, patSection([{ program: 1, pmtPid }], version), cc);

export const pmt = (streams: readonly PmtStreamFields[], pmtPid = 0x1000, cc = 0, version = 0): Uint8Array =>
  packetizeSection(pmtPid, pmtSection(streams, { version }), cc);

/** A PES packet: start code, stream_id, length (0 for video), '10' flags, PTS[/DTS], payload. */
export function pes(streamId: number, payload: Uint8Array, pts?: number, dts?: number): Uint8Array {
  const flags = pts === undefined ? 0 : dts === undefined ? 2 : 3;
  const headerData = flags === 3 ? 10 : flags === 2 ? 5 : 0;
  const out = new Uint8Array(9 + headerData + payload.length);
  const pesLength = streamId >= 0xe0 && streamId <= 0xef ? 0 : 3 + headerData + payload.length;
  out.set([0, 0, 1, streamId, pesLength >> 8, pesLength & 0xff, 0x80, flags << 6, headerData]);
  if (pts !== undefined) writeTimestamp(out, 9, flags === 3 ? 0x3 : 0x2, pts);
  if (dts !== undefined) writeTimestamp(out, 14, 0x1, dts);
  out.set(payload, 9 + headerData);
  return out;
}

/** Splits bytes into packets of one PID (PUSI on the first), counters from `cc`. */
export function packetize(pid: number, bytes: Uint8Array, cc = 0): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length || i === 0; i++) {
    const take = Math.min(PACKET_SIZE - 4, bytes.length - at);
    packets.push(packet({ pid, pusi: i === 0, cc: cc + i, payload: bytes.subarray(at, at + take) }));
    at += take;
  }
  return packets;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An H.264 access unit in Annex B: AUD, then SPS+PPS+IDR slice or a non-IDR slice, padded. */
export function h264AccessUnit(idr: boolean, size = 300): Uint8Array {
  const nals = [[0x09, 0xf0]]; // AUD
  if (idr) nals.push([0x67, 0x42, 0xc0, 0x1e], [0x68, 0xce, 0x3c, 0x80]); // SPS, PPS
  nals.push([idr ? 0x65 : 0x41, 0x88, 0x84]); // coded slice: IDR (5) or non-IDR (1)
  return annexB(nals, size);
}

/** An HEVC access unit: AUD(35), then VPS/SPS/PPS + IDR_W_RADL(19), or TRAIL_R(1). */
export function hevcAccessUnit(irap: boolean, size = 300): Uint8Array {
  const nals = [[35 << 1, 0x01, 0x50]];
  if (irap) nals.push([32 << 1, 0x01, 0x0c], [33 << 1, 0x01, 0x01], [34 << 1, 0x01, 0xc1]);
  nals.push([(irap ? 19 : 1) << 1, 0x01, 0xaf]);
  return annexB(nals, size);
}

function annexB(nals: readonly (readonly number[])[], size: number): Uint8Array {
  const bytes: number[] = [];
  for (const nal of nals) bytes.push(0, 0, 0, 1, ...nal);
  // Slice data with no start code inside it (0x55 never makes 00 00 01).
  while (bytes.length < size) bytes.push(0x55);
  return Uint8Array.from(bytes);
}

/** One ADTS frame (AAC-LC, 48 kHz, stereo, no CRC) of `length` bytes in all. */
export function adtsFrame(length = 200): Uint8Array {
  const f = new Uint8Array(length).fill(0x21);
  f.set([0xff, 0xf1, 0x4c, 0x80 | ((length >> 11) & 0x03), (length >> 3) & 0xff, ((length & 0x07) << 5) | 0x1f, 0xfc]);
  return f;
}

export const VIDEO_PID = 0x100;
export const AUDIO_PID = 0x101;
export const PMT_PID = 0x1000;
export { STREAM_TYPE };
