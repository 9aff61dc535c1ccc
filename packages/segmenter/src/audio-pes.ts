/**
 * Groups a segment's AAC frames into fewer PES packets. ffmpeg muxing with no delay writes one
 * PES per AAC frame, and at low rates that doubles the audio's cost: a 64 kbit/s frame (171 bytes,
 * plus 7 of ADTS) and its 14-byte PES header need two TS packets. A group of frames pays one header
 * and one padded packet.
 *
 * Groups never cross a segment boundary (a segment starts with its own audio, whichever run made
 * the neighbours), a group takes the PTS of its first frame, and a frame joins a group only when
 * its PTS follows on exactly, so every frame keeps its timestamp. A group takes the place of its
 * first frame's packets. The audio PID's continuity counters are renumbered. A segment whose
 * audio does not parse as expected passes unchanged.
 */
import { parseAdtsHeader } from './es/aac.js';
import type { Segment } from './segment.js';
import { PACKET_SIZE, payloadOffset, SYNC_BYTE } from './ts/packet.js';
import { parsePesHeader } from './ts/pes.js';

/** ffmpeg's own `pes_payload_size` default: 16 TS packets of audio per PES at most. */
export const DEFAULT_AUDIO_PES_BYTES = 2930;

const TS_PAYLOAD = PACKET_SIZE - 4;
const EMPTY = new Uint8Array(0);

/** One AAC PES of the input, with where it was (`slot`, an index into the scan's items). */
interface AudioUnit {
  readonly slot: number;
  readonly pts: number;
  readonly header: Uint8Array;
  readonly payload: Uint8Array;
  /** 90 kHz ticks of its frames (integer when the sample rate allows exact PTS). */
  readonly ticks: number;
}

interface Scan {
  readonly pid: number;
  readonly firstCc: number;
  /** The segment's bytes with each audio PES replaced by an empty slot. */
  readonly items: Uint8Array[];
  readonly units: AudioUnit[];
}

/** Stateful across one stream's segments: it carries the audio continuity counter on. */
export class AudioPesGrouper {
  private cc = -1;

  constructor(private readonly maxPayloadBytes = DEFAULT_AUDIO_PES_BYTES) {}

  group(segment: Segment): Segment {
    const scan = scanAudio(segment.data);
    if (scan === undefined || scan.units.length === 0) {
      this.cc = -1;
      return segment;
    }
    if (this.cc < 0) this.cc = (scan.firstCc + 15) & 0x0f;
    for (const group of groupUnits(scan.units, this.maxPayloadBytes)) {
      const first = group[0];
      const written = packetize(scan.pid, pesOf(group), this.cc);
      scan.items[first.slot] = written.bytes;
      this.cc = written.cc;
    }
    const data = scan.items.filter((item) => item.length > 0);
    return { ...segment, data, byteLength: data.reduce((total, item) => total + item.length, 0) };
  }
}

/** Splits the units into runs of contiguous frames whose payloads fit `maxBytes` together. */
export function groupUnits(units: readonly AudioUnit[], maxBytes: number): AudioUnit[][] {
  const groups: AudioUnit[][] = [];
  let current: AudioUnit[] = [];
  let bytes = 0;
  let nextPts = Number.NaN;
  for (const unit of units) {
    if (current.length > 0 && (unit.pts !== nextPts || bytes + unit.payload.length > maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(unit);
    bytes += unit.payload.length;
    nextPts = unit.pts + unit.ticks;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

const isAudioPesStart = (buf: Uint8Array, p: number): boolean => {
  if ((buf[p + 1] & 0x40) === 0) return false;
  const at = payloadOffset(buf, p);
  return at >= 0 && at + 4 <= p + PACKET_SIZE && buf[at] === 0 && buf[at + 1] === 0 && buf[at + 2] === 1 && (buf[at + 3] & 0xe0) === 0xc0;
};

/** Only a random_access_indicator is expected in an audio packet's adaptation field (ffmpeg's). */
const plainAudioPacket = (buf: Uint8Array, p: number): boolean =>
  (buf[p + 1] & 0x80) === 0 && ((buf[p + 3] & 0x20) === 0 || buf[p + 4] === 0 || (buf[p + 5] & ~0x40 & 0xff) === 0);

/** The segment's packets with each audio PES lifted out; undefined when anything is unexpected. */
function scanAudio(parts: readonly Uint8Array[]): Scan | undefined {
  const items: Uint8Array[] = [];
  const units: AudioUnit[] = [];
  let pid = -1;
  let firstCc = -1;
  let open: { slot: number; chunks: Uint8Array[] } | undefined;
  for (const part of parts) {
    if (part.length % PACKET_SIZE !== 0) return undefined;
    let runStart = 0;
    for (let p = 0; p < part.length; p += PACKET_SIZE) {
      if (part[p] !== SYNC_BYTE) return undefined;
      const packetPid = ((part[p + 1] & 0x1f) << 8) | part[p + 2];
      if (pid < 0 && isAudioPesStart(part, p)) pid = packetPid;
      if (packetPid !== pid) continue;
      const start = payloadOffset(part, p);
      if (!plainAudioPacket(part, p) || start < 0) return undefined;
      if (firstCc < 0) firstCc = part[p + 3] & 0x0f;
      items.push(part.subarray(runStart, p));
      runStart = p + PACKET_SIZE;
      if ((part[p + 1] & 0x40) !== 0) {
        const unit = open && audioUnit(open.slot, open.chunks);
        if (open && unit === undefined) return undefined;
        if (unit) units.push(unit);
        open = { slot: items.length, chunks: [] };
        items.push(EMPTY);
      } else if (open === undefined) return undefined;
      open.chunks.push(part.subarray(start, p + PACKET_SIZE));
    }
    items.push(part.subarray(runStart));
  }
  const last = open && audioUnit(open.slot, open.chunks);
  if (open && last === undefined) return undefined;
  if (last) units.push(last);
  return { pid, firstCc, items, units };
}

/** One whole PES of ADTS frames with a PTS, or undefined. */
function audioUnit(slot: number, chunks: readonly Uint8Array[]): AudioUnit | undefined {
  const bytes = concat(chunks);
  const header = parsePesHeader(bytes, 0, bytes.length);
  if (header.kind !== 'ok' || header.value.pts < 0) return undefined;
  const declared = (bytes[4] << 8) | bytes[5];
  if (declared !== 0 && declared !== bytes.length - 6) return undefined;
  const payload = bytes.subarray(header.value.headerLength);
  const ticks = adtsTicks(payload);
  if (ticks === undefined) return undefined;
  return { slot, pts: header.value.pts, header: bytes.subarray(0, header.value.headerLength), payload, ticks };
}

/** Duration of a payload made of whole ADTS frames, or undefined when it is not. */
function adtsTicks(payload: Uint8Array): number | undefined {
  let ticks = 0;
  let at = 0;
  while (at < payload.length) {
    const header = parseAdtsHeader(payload, at, payload.length);
    if (header.kind !== 'ok') return undefined;
    ticks += (header.value.samples * 90_000) / header.value.sampleRate;
    at += header.value.frameLength;
  }
  return at === payload.length && at > 0 ? ticks : undefined;
}

/** The group as one PES: the first unit's header (its PTS) with the new length, then every payload. */
function pesOf(group: readonly AudioUnit[]): Uint8Array {
  const first = group[0];
  const pes = concat([first.header, ...group.map((unit) => unit.payload)]);
  const length = pes.length - 6;
  pes[4] = length > 0xffff ? 0 : length >> 8;
  pes[5] = length > 0xffff ? 0 : length & 0xff;
  return pes;
}

/**
 * TS packets for one PES: the first marked random access (as ffmpeg marks audio), the last
 * filled up with adaptation-field stuffing. Returns the bytes and the last continuity counter.
 */
export function packetize(pid: number, pes: Uint8Array, lastCc: number): { bytes: Uint8Array; cc: number } {
  const chunks: Uint8Array[] = [];
  let cc = lastCc;
  for (let at = 0; at < pes.length || at === 0;) {
    const first = at === 0;
    const take = Math.min(pes.length - at, first ? TS_PAYLOAD - 2 : TS_PAYLOAD);
    cc = (cc + 1) & 0x0f;
    chunks.push(tsPacket(pid, cc, first, pes.subarray(at, at + take)));
    at += take;
    if (take === 0) break;
  }
  return { bytes: concat(chunks), cc };
}

function tsPacket(pid: number, cc: number, first: boolean, payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(PACKET_SIZE);
  const field = TS_PAYLOAD - payload.length;
  packet[0] = SYNC_BYTE;
  packet[1] = (first ? 0x40 : 0) | (pid >> 8);
  packet[2] = pid & 0xff;
  packet[3] = (field > 0 ? 0x30 : 0x10) | cc;
  if (field > 0) packet[4] = field - 1;
  if (field > 1) {
    packet[5] = first ? 0x40 : 0;
    packet.fill(0xff, 6, 4 + field);
  }
  packet.set(payload, 4 + field);
  return packet;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
