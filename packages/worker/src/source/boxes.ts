/**
 * ISO-BMFF / QuickTime box headers (ISO/IEC 14496-12 §4.2): pure parsing, no I/O.
 * A header is 8 bytes (size32, type), or 16 when size32 is 1 (a 64-bit size follows);
 * size32 0 means "to the end of the enclosing space" (the file, for a top-level box).
 */

export interface BoxHeader {
  readonly type: string;
  /** Offset of the box's first byte in the space it was parsed from. */
  readonly start: number;
  readonly headerSize: number;
  /** The whole box, header included. */
  readonly size: number;
  /** True when the box said size 0 and runs to the end of its space. */
  readonly toEnd: boolean;
}

export type HeaderResult =
  | { readonly kind: 'ok'; readonly header: BoxHeader }
  | { readonly kind: 'need-more-data'; readonly bytes: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Box types that can open an MP4/MOV file; anything else first is taken as another format. */
export const FIRST_BOX_TYPES: ReadonlySet<string> = new Set([
  'ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'meta', 'pnot', 'pdin', 'styp', 'sidx', 'junk',
]);

/** Four printable ASCII characters (QuickTime allows '©' and spaces; we accept 0x20..0x7e and 0xa9). */
export function isPlausibleType(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i];
    if (c === undefined || !((c >= 0x20 && c <= 0x7e) || c === 0xa9)) return false;
  }
  return true;
}

/**
 * Parses the header at `bytes[at]`, whose absolute position is `start`; `spaceEnd` is where the
 * enclosing space ends (the file size for top-level boxes). Only as many bytes as the header needs
 * must be present.
 */
export function parseBoxHeader(bytes: Buffer, at: number, start: number, spaceEnd: number): HeaderResult {
  const available = bytes.length - at;
  if (available < 8) return { kind: 'need-more-data', bytes: 8 };
  const size32 = bytes.readUInt32BE(at);
  if (!isPlausibleType(bytes, at + 4)) return { kind: 'invalid', reason: `unreadable box type at ${start}` };
  const type = bytes.toString('latin1', at + 4, at + 8);
  if (size32 === 1) {
    if (available < 16) return { kind: 'need-more-data', bytes: 16 };
    const size = bytes.readBigUInt64BE(at + 8);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) return { kind: 'invalid', reason: `${type} at ${start} is larger than 2^53 bytes` };
    return sized(type, start, 16, Number(size), false);
  }
  if (size32 === 0) return sized(type, start, 8, spaceEnd - start, true);
  return sized(type, start, 8, size32, false);
}

function sized(type: string, start: number, headerSize: number, size: number, toEnd: boolean): HeaderResult {
  if (size < headerSize) return { kind: 'invalid', reason: `${type} at ${start} says ${size} bytes, less than its ${headerSize}-byte header` };
  return { kind: 'ok', header: { type, start, headerSize, size, toEnd } };
}

/** An 8-byte header, or a 16-byte one when the size needs 64 bits. */
export function writeBoxHeader(type: string, size: number): Buffer {
  if (size <= 0xffffffff) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(size, 0);
    header.write(type, 4, 'latin1');
    return header;
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(size), 8);
  return header;
}

/** The child boxes of a container payload held in memory; throws a string reason when they do not tile it. */
export function childBoxes(bytes: Buffer, from: number, to: number): BoxHeader[] {
  const children: BoxHeader[] = [];
  let at = from;
  while (at < to) {
    // A QuickTime container may end with a 4-byte zero terminator.
    if (to - at === 4 && bytes.readUInt32BE(at) === 0) break;
    const result = parseBoxHeader(bytes.subarray(0, to), at, at, to);
    if (result.kind === 'need-more-data') throw new BoxTreeError(`a box header at ${at} runs past its parent's end ${to}`);
    if (result.kind === 'invalid') throw new BoxTreeError(result.reason);
    if (at + result.header.size > to) throw new BoxTreeError(`${result.header.type} at ${at} runs past its parent's end ${to}`);
    children.push(result.header);
    at += result.header.size;
  }
  return children;
}

/** A nested box that does not parse: turned into SOURCE_MOOV_INVALID by the caller. */
export class BoxTreeError extends Error {
  override readonly name = 'BoxTreeError';
}
