/**
 * ISO/IEC 13818-1 2.4.3.2: the 188-byte transport packet header.
 * The one-bit and four-bit header fields (PID, payload_unit_start, transport_error, continuity
 * counter, adaptation_field_control) are read inline in the segmenter's scan loop, the one place
 * that reads them: a function call per field measurably slowed it. The segmenter's behaviour
 * tests cover each field (robustness.test.ts). What needs more than a mask lives here.
 */

export const PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const PID_PAT = 0x0000;
export const PID_NULL = 0x1fff;
export const PID_COUNT = 0x2000;
/** How many sync bytes, one packet apart, must agree before we trust an offset (resync). */
export const SYNC_CONFIRMATIONS = 3;

/**
 * Offset of the payload inside the buffer, `p + PACKET_SIZE` when there is none,
 * or -1 when the adaptation field claims more bytes than the packet holds.
 */
export function payloadOffset(buf: Uint8Array, p: number): number {
  const control = (buf[p + 3] >> 4) & 0x03;
  if (control === 1) return p + 4;
  if (control === 0) return p + PACKET_SIZE;
  const afLength = buf[p + 4];
  if (control === 2) return afLength > 183 ? -1 : p + PACKET_SIZE;
  if (afLength > 182) return afLength === 183 ? p + PACKET_SIZE : -1;
  return p + 5 + afLength;
}

/**
 * First offset in [from, end) where SYNC_CONFIRMATIONS sync bytes line up one packet apart.
 * Returns -1 when no offset up to `end - PACKET_SIZE * (n - 1)` qualifies; the bytes from the
 * returned `undecided` offset on cannot be judged yet (need more data), unless `atEnd` says no
 * more data will come, in which case fewer confirmations (as many packets as remain) suffice.
 */
export function findSync(buf: Uint8Array, from: number, end: number, atEnd: boolean): number {
  for (let q = from; q < end; q++) {
    if (buf[q] !== SYNC_BYTE) continue;
    let confirmed = 1;
    while (confirmed < SYNC_CONFIRMATIONS) {
      const next = q + confirmed * PACKET_SIZE;
      if (next >= end || buf[next] !== SYNC_BYTE) break;
      confirmed++;
    }
    if (confirmed === SYNC_CONFIRMATIONS) return q;
    const lookahead = q + confirmed * PACKET_SIZE;
    // Ran out of bytes while every sync byte so far agreed: undecided, unless this is the end.
    if (lookahead >= end) return atEnd && end - q >= PACKET_SIZE ? q : -1 - q;
  }
  return -1 - end;
}

/** Decodes findSync's "undecided from" encoding: the offset to keep for later. */
export function undecidedFrom(result: number): number {
  return -1 - result;
}
