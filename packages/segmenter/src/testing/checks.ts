/**
 * Test helpers: run the segmenter over bytes in chunks, and check the invariants of its output.
 * They throw plain errors (src may not import node: built-ins, even node:assert).
 */
import { Segmenter } from '../segmenter.js';
import { segmentBytes, type Segment, type SegmenterOptions } from '../segment.js';
import { PACKET_SIZE } from '../ts/packet.js';

/** The PID of the packet at `at`: the tests' own reading, independent of the segmenter's. */
export const pidOf = (p: Uint8Array, at = 0): number => ((p[at + 1] & 0x1f) << 8) | p[at + 2];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function runSegmenter(bytes: Uint8Array, options: SegmenterOptions, chunkSize = 65536): { segments: Segment[]; segmenter: Segmenter } {
  const segmenter = new Segmenter(options);
  const segments: Segment[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) segments.push(...segmenter.push(bytes.slice(at, at + chunkSize)));
  segments.push(...segmenter.flush());
  return { segments, segmenter };
}

/** The 188-byte packets of a buffer (which must be whole packets). */
export function packetsOf(bytes: Uint8Array): Uint8Array[] {
  check(bytes.length % PACKET_SIZE === 0, 'not whole packets');
  const list: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += PACKET_SIZE) list.push(bytes.subarray(i, i + PACKET_SIZE));
  return list;
}

/**
 * Packet conservation: the segments' packets, less the PAT/PMT put at their start,
 * are exactly the input's packets in order.
 */
export function assertConservation(inputPackets: readonly Uint8Array[], segments: readonly Segment[]): void {
  const body: Uint8Array[] = [];
  for (const s of segments) body.push(...packetsOf(segmentBytes(s).subarray(s.headerBytes)));
  check(body.length === inputPackets.length, `packet count ${body.length}, input has ${inputPackets.length}`);
  for (let i = 0; i < body.length; i++) {
    check(sameBytes(body[i], inputPackets[i]), `packet ${i} differs`);
  }
}

/** Every segment starts with a PAT then a PMT. */
export function assertStartsWithPsi(segment: Segment, pmtPid: number): void {
  const packets = packetsOf(segmentBytes(segment));
  check(pidOf(packets[0]) === 0, 'the first packet is not a PAT');
  check(pidOf(packets[1]) === pmtPid, 'the second packet is not the PMT');
}

/** Within each segment every PID's continuity counter runs on (payload packets, no duplicates). */
export function assertContinuity(segment: Segment): void {
  const last = new Map<number, number>();
  for (const p of packetsOf(segmentBytes(segment))) {
    const pid = pidOf(p);
    if ((p[3] & 0x10) === 0 || pid === 0x1fff) continue;
    const cc = p[3] & 0x0f;
    const previous = last.get(pid);
    check(previous === undefined || cc === ((previous + 1) & 0x0f), `continuity broken on PID ${pid}`);
    last.set(pid, cc);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
