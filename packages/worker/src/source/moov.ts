/**
 * The moov as far as moving it needs: where the chunk offset tables (`stco`, 32-bit; `co64`,
 * 64-bit) are, and a rewrite that maps every chunk offset and promotes a `stco` to `co64` when a
 * mapped offset no longer fits in 32 bits. Pure: bytes in, bytes out.
 */
import { BoxTreeError, childBoxes, writeBoxHeader, type BoxHeader } from './boxes.js';
import { SourceErrors } from './errors.js';

const MAX_STCO_OFFSET = 0xffffffff;

export interface ChunkOffsetTable {
  readonly kind: 'stco' | 'co64';
  /** The table's box, positioned inside the moov buffer. */
  readonly box: BoxHeader;
  readonly entryCount: number;
}

export interface ParsedMoov {
  readonly bytes: Buffer;
  readonly tables: readonly ChunkOffsetTable[];
  readonly trackCount: number;
  /**
   * Where the containers on each path moov › trak › mdia › minf › stbl › stco|co64 start: the
   * boxes the parse checked, and the only ones the rewrite opens (any other box, even one named
   * like a container, is copied as it is).
   */
  readonly containers: ReadonlySet<number>;
}

/** Finds every chunk offset table and checks the boxes on the way tile their parents; SOURCE_MOOV_INVALID otherwise. */
export function parseMoov(bytes: Buffer): ParsedMoov {
  try {
    const root = childBoxes(bytes, 0, bytes.length);
    if (root.length !== 1 || root[0].type !== 'moov') throw new BoxTreeError('the buffer is not one moov box');
    const traks = children(bytes, root[0]).filter((box) => box.type === 'trak');
    if (traks.length === 0) throw new BoxTreeError('the moov has no trak');
    const containers = new Set([root[0].start, ...traks.map((trak) => trak.start)]);
    const tables = traks.map((trak, index) => tableOfTrack(bytes, trak, index, containers));
    return { bytes, tables, trackCount: traks.length, containers };
  } catch (error) {
    if (!(error instanceof BoxTreeError)) throw error;
    throw SourceErrors.create('SOURCE_MOOV_INVALID', `the moov does not parse: ${error.message}`, { cause: error });
  }
}

function children(bytes: Buffer, box: BoxHeader): BoxHeader[] {
  return childBoxes(bytes, box.start + box.headerSize, box.start + box.size);
}

/** The track's chunk offset table; adds the containers on its path to `containers`. */
function tableOfTrack(bytes: Buffer, trak: BoxHeader, index: number, containers: Set<number>): ChunkOffsetTable {
  let level = trak;
  for (const type of ['mdia', 'minf', 'stbl']) {
    const next = children(bytes, level).find((box) => box.type === type);
    if (next === undefined) throw new BoxTreeError(`trak ${index + 1} has no ${type}`);
    containers.add(next.start);
    level = next;
  }
  const found = children(bytes, level).filter((box) => box.type === 'stco' || box.type === 'co64');
  const box = found[0];
  if (box === undefined || found.length > 1) throw new BoxTreeError(`trak ${index + 1} has ${found.length} chunk offset tables`);
  const kind = box.type === 'stco' ? 'stco' : 'co64';
  const payload = box.size - box.headerSize;
  if (payload < 8) throw new BoxTreeError(`${kind} of trak ${index + 1} is too short`);
  const entryCount = bytes.readUInt32BE(box.start + box.headerSize + 4);
  if (8 + entryCount * entryWidth(kind) > payload) throw new BoxTreeError(`${kind} of trak ${index + 1} says ${entryCount} entries but holds fewer`);
  return { kind, box, entryCount };
}

const entryWidth = (kind: 'stco' | 'co64'): number => (kind === 'stco' ? 4 : 8);

/** Every chunk offset of one table, as the source states it. */
/**
 * Entry `i` of a chunk offset table, read where it lies: callers loop over the entries rather than
 * copy them into an array, since a moov may hold tens of millions of them.
 */
export function chunkOffsetAt(moov: ParsedMoov, table: ChunkOffsetTable, i: number): number {
  const first = table.box.start + table.box.headerSize + 8;
  if (table.kind === 'stco') return moov.bytes.readUInt32BE(first + 4 * i);
  // Two 32-bit halves, not readBigUInt64BE: a BigInt per entry made opening a 4 GB source's moov several times slower.
  return moov.bytes.readUInt32BE(first + 8 * i) * 2 ** 32 + moov.bytes.readUInt32BE(first + 8 * i + 4);
}

/** Every entry of a table, as an array (for tests and small tables; production code loops with chunkOffsetAt). */
export function readChunkOffsets(moov: ParsedMoov, table: ChunkOffsetTable): number[] {
  return Array.from({ length: table.entryCount }, (_, i) => chunkOffsetAt(moov, table, i));
}

export function largestChunkOffset(moov: ParsedMoov): number {
  let largest = -1;
  for (const table of moov.tables) for (let i = 0; i < table.entryCount; i++) largest = Math.max(largest, chunkOffsetAt(moov, table, i));
  return largest;
}

/** True when some entry of the table, mapped, no longer fits a 32-bit stco. */
function overflowsStco(moov: ParsedMoov, table: ChunkOffsetTable, map: (offset: number) => number): boolean {
  for (let i = 0; i < table.entryCount; i++) if (map(chunkOffsetAt(moov, table, i)) > MAX_STCO_OFFSET) return true;
  return false;
}

/** Where a source byte lands, given the size of the rewritten moov (which moves what follows it). */
export type OffsetMapping = (sourceOffset: number, newMoovSize: number) => number;

export interface RewriteOptions {
  /** Write every table as co64 (tests use it to make co64 sources). */
  readonly promoteAll?: boolean;
}

/**
 * The moov with every chunk offset mapped. A `stco` whose mapped offsets pass 4 GiB becomes a
 * `co64`; that grows the moov and so moves the data again, hence the loop (it only ever adds
 * tables, so it ends).
 */
export function rewriteMoov(moov: ParsedMoov, mapping: OffsetMapping, options: RewriteOptions = {}): Buffer {
  const promoted = new Set<number>(options.promoteAll === true ? moov.tables.map((table) => table.box.start) : []);
  for (;;) {
    const newSize = boxSize(moov, rootBox(moov), promoted);
    const overflowing = moov.tables.filter(
      (table) => table.kind === 'stco' && !promoted.has(table.box.start) && overflowsStco(moov, table, (offset) => mapping(offset, newSize)),
    );
    if (overflowing.length === 0) {
      const out = Buffer.concat(emitBox(moov, rootBox(moov), { promoted, map: (offset) => mapping(offset, newSize) }));
      if (out.length !== newSize) throw new Error(`moov rewrite size ${out.length} differs from the planned ${newSize}`);
      return out;
    }
    for (const table of overflowing) promoted.add(table.box.start);
  }
}

function rootBox(moov: ParsedMoov): BoxHeader {
  return childBoxes(moov.bytes, 0, moov.bytes.length)[0];
}

function tableAt(moov: ParsedMoov, box: BoxHeader): ChunkOffsetTable | undefined {
  return moov.tables.find((table) => table.box.start === box.start);
}

function boxSize(moov: ParsedMoov, box: BoxHeader, promoted: ReadonlySet<number>): number {
  if (moov.containers.has(box.start)) {
    const payload = children(moov.bytes, box).reduce((sum, child) => sum + boxSize(moov, child, promoted), 0);
    return payload + (payload + 8 > 0xffffffff ? 16 : 8);
  }
  const table = tableAt(moov, box);
  if (table === undefined) return box.size;
  const width = promoted.has(box.start) ? 8 : entryWidth(table.kind);
  return 8 + 8 + table.entryCount * width;
}

interface EmitContext {
  readonly promoted: ReadonlySet<number>;
  readonly map: (sourceOffset: number) => number;
}

function emitBox(moov: ParsedMoov, box: BoxHeader, context: EmitContext): Buffer[] {
  if (moov.containers.has(box.start)) {
    const parts = children(moov.bytes, box).flatMap((child) => emitBox(moov, child, context));
    const payload = parts.reduce((sum, part) => sum + part.length, 0);
    return [writeBoxHeader(box.type, payload + (payload + 8 > 0xffffffff ? 16 : 8)), ...parts];
  }
  const table = tableAt(moov, box);
  if (table === undefined) return [moov.bytes.subarray(box.start, box.start + box.size)];
  return [emitTable(moov, table, context)];
}

function emitTable(moov: ParsedMoov, table: ChunkOffsetTable, context: EmitContext): Buffer {
  const kind = context.promoted.has(table.box.start) ? 'co64' : table.kind;
  const width = entryWidth(kind);
  const out = Buffer.alloc(16 + table.entryCount * width);
  out.writeUInt32BE(out.length, 0);
  out.write(kind, 4, 'latin1');
  // version and flags are kept; the entry count follows.
  moov.bytes.copy(out, 8, table.box.start + table.box.headerSize, table.box.start + table.box.headerSize + 8);
  for (let i = 0; i < table.entryCount; i++) {
    const mapped = context.map(chunkOffsetAt(moov, table, i));
    if (kind === 'stco') out.writeUInt32BE(mapped, 16 + 4 * i);
    else {
      out.writeUInt32BE(Math.floor(mapped / 2 ** 32), 16 + 8 * i);
      out.writeUInt32BE(mapped % 2 ** 32, 20 + 8 * i);
    }
  }
  return out;
}
