/**
 * fast-check arbitraries that damage a real MPEG-TS where the segmenter reads it: sync bytes,
 * PIDs, adaptation field control and lengths, continuity counters, unit starts, and the PES
 * header of a unit start (PES_packet_length, flags, header length, PTS/DTS bits with their marker
 * bits); besides byte flips, overwrites, truncation, duplicated, dropped and garbage packets. A
 * mutation names its packet by number (modulo the count), so a counterexample prints small.
 */
import fc from 'fast-check';
import { PACKET_SIZE, payloadOffset, SYNC_BYTE } from '../ts/packet.js';
import { concat } from './builders.js';

export type TsMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'sync'; readonly packet: number; readonly value: number }
  | { readonly kind: 'pid'; readonly packet: number; readonly pid: number }
  | { readonly kind: 'adaptation'; readonly packet: number; readonly control: number; readonly length: number }
  | { readonly kind: 'continuity'; readonly packet: number; readonly cc: number }
  | { readonly kind: 'unit-start'; readonly packet: number }
  | { readonly kind: 'pes-length'; readonly unit: number; readonly length: number }
  | { readonly kind: 'pes-header'; readonly unit: number; readonly byte: 6 | 7 | 8; readonly value: number }
  | { readonly kind: 'pts'; readonly unit: number; readonly bit: number }
  | { readonly kind: 'duplicate' | 'drop'; readonly packet: number; readonly count: number }
  | { readonly kind: 'garbage'; readonly packet: number; readonly bytes: readonly number[] };

/** The stream with each mutation applied in turn. */
export function applyTsMutations(stream: Uint8Array, mutations: readonly TsMutation[]): Uint8Array {
  let bytes: Uint8Array = stream.slice();
  for (const mutation of mutations) bytes = applyTsMutation(bytes, mutation);
  return bytes;
}

function applyTsMutation(bytes: Uint8Array, m: TsMutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  switch (m.kind) {
    case 'flip':
      bytes[m.at % bytes.length] ^= 1 << m.bit;
      return bytes;
    case 'overwrite':
      bytes.set(m.bytes.slice(0, bytes.length - (m.at % bytes.length)), m.at % bytes.length);
      return bytes;
    case 'truncate':
      return bytes.subarray(0, m.at % (bytes.length + 1));
    case 'pes-length': case 'pes-header': case 'pts':
      return editPesStart(bytes, m);
    case 'duplicate': case 'drop': case 'garbage':
      return editPackets(bytes, m);
    default:
      return editHeader(bytes, m);
  }
}

/** Offset of packet n (modulo the whole packets), or undefined without one. */
function packetAt(bytes: Uint8Array, n: number): number | undefined {
  const packets = Math.floor(bytes.length / PACKET_SIZE);
  return packets === 0 ? undefined : (n % packets) * PACKET_SIZE;
}

function editHeader(bytes: Uint8Array, m: Extract<TsMutation, { kind: 'sync' | 'pid' | 'adaptation' | 'continuity' | 'unit-start' }>): Uint8Array {
  const p = packetAt(bytes, m.packet);
  if (p === undefined) return bytes;
  if (m.kind === 'sync') bytes[p] = m.value === SYNC_BYTE ? 0 : m.value;
  if (m.kind === 'pid') {
    bytes[p + 1] = (bytes[p + 1] & 0xe0) | (m.pid >> 8);
    bytes[p + 2] = m.pid & 0xff;
  }
  if (m.kind === 'adaptation') {
    bytes[p + 3] = (bytes[p + 3] & 0xcf) | (m.control << 4);
    bytes[p + 4] = m.length;
  }
  if (m.kind === 'continuity') bytes[p + 3] = (bytes[p + 3] & 0xf0) | m.cc;
  if (m.kind === 'unit-start') bytes[p + 1] ^= 0x40;
  return bytes;
}

/** Where the PES headers start: payloads of unit-start packets that open with 00 00 01. */
export function pesStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  for (let p = 0; p + PACKET_SIZE <= bytes.length; p += PACKET_SIZE) {
    if (bytes[p] !== SYNC_BYTE || (bytes[p + 1] & 0x40) === 0) continue;
    const s = payloadOffset(bytes, p);
    if (s >= 0 && s + 19 <= p + PACKET_SIZE && bytes[s] === 0 && bytes[s + 1] === 0 && bytes[s + 2] === 1) starts.push(s);
  }
  return starts;
}

function editPesStart(bytes: Uint8Array, m: Extract<TsMutation, { unit: number }>): Uint8Array {
  const starts = pesStarts(bytes);
  if (starts.length === 0) return bytes;
  const s = starts[m.unit % starts.length];
  if (m.kind === 'pes-length') {
    bytes[s + 4] = m.length >> 8;
    bytes[s + 5] = m.length & 0xff;
  }
  if (m.kind === 'pes-header') bytes[s + m.byte] = m.value;
  // PTS then DTS: 5 bytes each after the 9-byte fixed header, marker bits included.
  if (m.kind === 'pts') bytes[s + 9 + (m.bit >> 3)] ^= 0x80 >> (m.bit & 7);
  return bytes;
}

function editPackets(bytes: Uint8Array, m: Extract<TsMutation, { kind: 'duplicate' | 'drop' | 'garbage' }>): Uint8Array {
  const p = packetAt(bytes, m.packet);
  if (p === undefined) return bytes;
  if (m.kind === 'garbage') return concat([bytes.subarray(0, p), Uint8Array.from(m.bytes), bytes.subarray(p)]);
  const end = Math.min(bytes.length, p + PACKET_SIZE * m.count);
  if (m.kind === 'drop') return concat([bytes.subarray(0, p), bytes.subarray(end)]);
  return concat([bytes.subarray(0, end), bytes.subarray(p, end), bytes.subarray(end)]);
}

const packetNumber = fc.nat({ max: 100_000 });
const byte = fc.integer({ min: 0, max: 255 });
/** PAT, CAT, SDT, ffmpeg's video, audio and PMT PIDs, the null PID, or any. */
const pid = fc.oneof(fc.constantFrom(0x0000, 0x0001, 0x0011, 0x0100, 0x0101, 0x1000, 0x1fff), fc.integer({ min: 0, max: 0x1fff }));

/** Damage to a packet's 4-byte header and adaptation field. */
export const headerMutation: fc.Arbitrary<TsMutation> = fc.oneof(
  fc.record({ kind: fc.constant('sync' as const), packet: packetNumber, value: byte }),
  fc.record({ kind: fc.constant('pid' as const), packet: packetNumber, pid }),
  fc.record({ kind: fc.constant('adaptation' as const), packet: packetNumber, control: fc.integer({ min: 0, max: 3 }), length: fc.oneof(fc.constantFrom(0, 1, 182, 183, 184, 255), byte) }),
  fc.record({ kind: fc.constant('continuity' as const), packet: packetNumber, cc: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant('unit-start' as const), packet: packetNumber }),
);

/** Damage to the PES header at a unit start: its length, flags, header length, PTS and DTS bits. */
export const pesMutation: fc.Arbitrary<TsMutation> = fc.oneof(
  fc.record({ kind: fc.constant('pes-length' as const), unit: packetNumber, length: fc.oneof(fc.constantFrom(0, 1, 3, 0xffff), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ kind: fc.constant('pes-header' as const), unit: packetNumber, byte: fc.constantFrom(6 as const, 7 as const, 8 as const), value: byte }),
  fc.record({ kind: fc.constant('pts' as const), unit: packetNumber, bit: fc.integer({ min: 0, max: 79 }) }),
);

/** Byte and packet damage: flips, overwrites, truncation, duplicated, dropped and garbage packets. */
export const streamMutation: fc.Arbitrary<TsMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.array(byte, { minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom('duplicate' as const, 'drop' as const), packet: packetNumber, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('garbage' as const), packet: packetNumber, bytes: fc.array(byte, { minLength: 1, maxLength: 400 }) }),
);

/** One to six mutations of any kind. */
export const tsMutations: fc.Arbitrary<TsMutation[]> = fc.array(fc.oneof(headerMutation, pesMutation, streamMutation), { minLength: 1, maxLength: 6 });

/** Chunk sizes to feed the stream in: tiny ones cross packet and header borders. */
export const chunkSizes: fc.Arbitrary<number[]> = fc.array(fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 20_000 })), { minLength: 1, maxLength: 12 });
