/**
 * ISO/IEC 13818-1 2.4.4: PSI sections (PAT, PMT) carried in TS packets, their CRC_32,
 * and the reverse: a section packetized again for the PAT/PMT that open each segment.
 */
import { PACKET_SIZE, SYNC_BYTE } from './packet.js';

/** section_length is 12 bits; PAT/PMT sections may not exceed 1024 bytes in all. */
export const MAX_SECTION_BYTES = 1024;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
}

/** CRC-32/MPEG-2 (no reflection, no final xor). Over a whole section including its CRC it is 0. */
export function crc32Mpeg2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return crc >>> 0;
}

/** Total byte count of the section starting at `s` (3 header bytes + section_length). */
export function sectionTotalLength(buf: Uint8Array, s: number): number {
  return 3 + (((buf[s + 1] & 0x0f) << 8) | buf[s + 2]);
}

/**
 * Reassembles sections of one PID from packet payloads. PSI packets are rare,
 * so this path may allocate. A continuity error or a bad length drops the partial section.
 */
export class SectionAssembler {
  private partial: Uint8Array | undefined;
  private filled = 0;

  reset(): void {
    this.partial = undefined;
    this.filled = 0;
  }

  /** Feeds one packet's payload [start, end); returns the sections it completed. */
  push(buf: Uint8Array, start: number, end: number, unitStart: boolean): Uint8Array[] {
    const done: Uint8Array[] = [];
    if (!unitStart) {
      if (this.partial !== undefined) this.append(buf, start, end, done);
      return done;
    }
    const pointer = buf[start];
    const sectionStart = start + 1 + pointer;
    if (sectionStart > end) {
      this.reset();
      return done;
    }
    if (this.partial !== undefined) this.append(buf, start + 1, sectionStart, done);
    this.reset();
    this.startSections(buf, sectionStart, end, done);
    return done;
  }

  private startSections(buf: Uint8Array, s: number, end: number, done: Uint8Array[]): void {
    // Several sections may follow each other in one packet; 0xFF starts the stuffing.
    while (s + 3 <= end && buf[s] !== 0xff) {
      const total = sectionTotalLength(buf, s);
      if (total > MAX_SECTION_BYTES) return;
      if (s + total <= end) {
        done.push(buf.slice(s, s + total));
        s += total;
        continue;
      }
      this.partial = new Uint8Array(total);
      this.partial.set(buf.subarray(s, end));
      this.filled = end - s;
      return;
    }
  }

  private append(buf: Uint8Array, start: number, end: number, done: Uint8Array[]): void {
    const partial = this.partial!;
    const take = Math.min(end - start, partial.length - this.filled);
    partial.set(buf.subarray(start, start + take), this.filled);
    this.filled += take;
    if (this.filled === partial.length) {
      done.push(partial);
      this.reset();
    }
  }
}

/**
 * Packetizes one section on `pid` (pointer_field 0, 0xFF stuffing), continuity counters
 * starting at `firstCc`. Returns the packets back to back.
 */
export function packetizeSection(pid: number, section: Uint8Array, firstCc: number): Uint8Array {
  const count = sectionPacketCount(section.length);
  const out = new Uint8Array(count * PACKET_SIZE).fill(0xff);
  let taken = 0;
  for (let i = 0; i < count; i++) {
    const p = i * PACKET_SIZE;
    out[p] = SYNC_BYTE;
    out[p + 1] = (i === 0 ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    out[p + 2] = pid & 0xff;
    out[p + 3] = 0x10 | ((firstCc + i) & 0x0f);
    let q = p + 4;
    if (i === 0) out[q++] = 0; // pointer_field
    const n = Math.min(section.length - taken, p + PACKET_SIZE - q);
    out.set(section.subarray(taken, taken + n), q);
    taken += n;
  }
  return out;
}

/** How many packets packetizeSection needs for a section of this length. */
export function sectionPacketCount(sectionLength: number): number {
  const firstRoom = PACKET_SIZE - 5;
  return sectionLength <= firstRoom ? 1 : 1 + Math.ceil((sectionLength - firstRoom) / (PACKET_SIZE - 4));
}
