/**
 * fast-check arbitraries that damage a real MP4/MOV the way uploads and attackers do: byte
 * flips, overwrites, truncation, and box-aware edits (size fields, 64-bit sizes past the end,
 * duplicated, deleted and renamed boxes, chunk offset tables that lie). A mutation names its
 * targets by number (box n of the file's box index, modulo their count), so a counterexample
 * prints small and replays on the same file.
 */
import fc from 'fast-check';
import { chunkOffsetTables, indexBoxes, resizeBoxes, splice, type IndexedBox } from './box-index.js';

/** A byte inside box n (in an mdat, only its header and first payload bytes), or anywhere. */
export interface Spot {
  readonly box: number | 'anywhere';
  readonly offset: number;
}

/** A value relative to the mutated file: its end, or the start of its moov. */
export interface Near {
  readonly near: 'end' | 'moov';
  readonly delta: number;
}

export type Mp4Mutation =
  | { readonly kind: 'flip'; readonly at: Spot; readonly bit: number }
  | { readonly kind: 'overwrite'; readonly at: Spot; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: Spot }
  | { readonly kind: 'size'; readonly box: number; readonly size: number }
  | { readonly kind: 'largesize'; readonly box: number; readonly size: bigint | Near }
  | { readonly kind: 'duplicate' | 'delete'; readonly box: number; readonly fixParents: boolean }
  | { readonly kind: 'rename'; readonly box: number; readonly type: string }
  | { readonly kind: 'overflow'; readonly box: number; readonly by: number }
  | { readonly kind: 'entry-count'; readonly table: number; readonly count: number | 'one-more' }
  | { readonly kind: 'chunk-offset'; readonly table: number; readonly entry: number; readonly value: bigint | Near };

/** The file with each mutation applied in turn (each one aimed with a fresh box index). */
export function applyMutations(file: Buffer, mutations: readonly Mp4Mutation[]): Buffer {
  let bytes: Buffer = Buffer.from(file);
  for (const mutation of mutations) bytes = applyMutation(bytes, indexBoxes(bytes), mutation);
  return bytes;
}

function applyMutation(bytes: Buffer, boxes: readonly IndexedBox[], m: Mp4Mutation): Buffer {
  if (m.kind === 'flip' || m.kind === 'overwrite' || m.kind === 'truncate') return applyAtSpot(bytes, boxes, m);
  if (m.kind === 'entry-count' || m.kind === 'chunk-offset') {
    const table = pick(chunkOffsetTables(boxes), m.table);
    return table === undefined ? bytes : applyToTable(bytes, boxes, table, m);
  }
  const box = pick(boxes, m.box);
  if (box === undefined) return bytes;
  switch (m.kind) {
    case 'size':
      bytes.writeUInt32BE(m.size, box.start);
      return bytes;
    case 'largesize':
      return toLargesize(bytes, boxes, box, m.size);
    case 'duplicate':
      return copyBox(bytes, boxes, box, m.fixParents);
    case 'delete':
      return deleteBox(bytes, boxes, box, m.fixParents);
    case 'rename':
      bytes.write(m.type, box.start + 4, 'latin1');
      return bytes;
    case 'overflow':
      return overflowParent(bytes, boxes, box, m.by);
  }
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

function applyAtSpot(bytes: Buffer, boxes: readonly IndexedBox[], m: Extract<Mp4Mutation, { at: Spot }>): Buffer {
  if (bytes.length === 0) return bytes;
  const box = m.at.box === 'anywhere' ? undefined : pick(boxes, m.at.box);
  // An mdat's payload is never parsed: only its first bytes are worth damaging.
  const span = box === undefined ? bytes.length : box.type === 'mdat' ? Math.min(box.size, box.headerSize + 8) : box.size;
  const at = (box?.start ?? 0) + (m.at.offset % span);
  if (m.kind === 'truncate') return bytes.subarray(0, at);
  if (m.kind === 'flip') bytes[at] ^= 1 << m.bit;
  else m.bytes.forEach((value, i) => at + i < bytes.length && (bytes[at + i] = value));
  return bytes;
}

/** The box's header made 16 bytes (size32 = 1) with the given 64-bit size; its parents grow to hold it. */
function toLargesize(bytes: Buffer, boxes: readonly IndexedBox[], box: IndexedBox, size: bigint | Near): Buffer {
  let out = bytes;
  if (box.headerSize === 8) {
    out = splice(bytes, box.start + 8, 0, Buffer.alloc(8));
    resizeBoxes(out, boxes, box.ancestors, 8);
    out.writeUInt32BE(1, box.start);
  }
  const value = typeof size === 'bigint' ? size : BigInt(Math.max(0, resolveNear(out, boxes, size)));
  out.writeBigUInt64BE(value % 2n ** 64n, box.start + 8);
  return out;
}

function copyBox(bytes: Buffer, boxes: readonly IndexedBox[], box: IndexedBox, fixParents: boolean): Buffer {
  const out = splice(bytes, box.start + box.size, 0, bytes.subarray(box.start, box.start + box.size));
  if (fixParents) resizeBoxes(out, boxes, box.ancestors, box.size);
  return out;
}

function deleteBox(bytes: Buffer, boxes: readonly IndexedBox[], box: IndexedBox, fixParents: boolean): Buffer {
  const out = splice(bytes, box.start, box.size);
  if (fixParents) resizeBoxes(out, boxes, box.ancestors, -box.size);
  return out;
}

/** The box claims `by` bytes more than its parent (or the file) has left for it. */
function overflowParent(bytes: Buffer, boxes: readonly IndexedBox[], box: IndexedBox, by: number): Buffer {
  const parent = box.ancestors.length === 0 ? undefined : boxes[box.ancestors[box.ancestors.length - 1]];
  const end = parent === undefined ? bytes.length : parent.start + parent.size;
  const size = end - box.start + by;
  if (box.headerSize === 16) bytes.writeBigUInt64BE(BigInt(size), box.start + 8);
  else bytes.writeUInt32BE(Math.min(size, 0xffffffff), box.start);
  return bytes;
}

function applyToTable(bytes: Buffer, boxes: readonly IndexedBox[], table: IndexedBox, m: Extract<Mp4Mutation, { table: number }>): Buffer {
  const countAt = table.start + table.headerSize + 4;
  if (countAt + 4 > bytes.length) return bytes;
  const count = bytes.readUInt32BE(countAt);
  if (m.kind === 'entry-count') {
    bytes.writeUInt32BE(m.count === 'one-more' ? (count + 1) % 2 ** 32 : m.count, countAt);
    return bytes;
  }
  const width = table.type === 'co64' ? 8 : 4;
  const held = Math.min(count, Math.floor((table.size - table.headerSize - 8) / width));
  if (held <= 0) return bytes;
  const at = countAt + 4 + (m.entry % held) * width;
  const value = typeof m.value === 'bigint' ? m.value : BigInt(Math.max(0, resolveNear(bytes, boxes, m.value)));
  if (width === 8) bytes.writeBigUInt64BE(value % 2n ** 64n, at);
  else bytes.writeUInt32BE(Number(value % 2n ** 32n), at);
  return bytes;
}

function resolveNear(bytes: Buffer, boxes: readonly IndexedBox[], near: Near): number {
  const moov = boxes.find((box) => box.type === 'moov' && box.ancestors.length === 0);
  return (near.near === 'end' ? bytes.length : (moov?.start ?? 0)) + near.delta;
}

/**
 * A sound edit: a `free` box between the last mdat and a moov at the end, so that the moov starts
 * at `moovAt` (or 16 bytes later, the smallest pad). No chunk moves, so the file must still open;
 * `moovAt` near the end of a read window puts the moov's header across it. Undefined when the
 * moov does not follow the media.
 */
export function padBeforeMoov(file: Buffer, moovAt: number): Buffer | undefined {
  const top = indexBoxes(file).filter((box) => box.ancestors.length === 0);
  const moov = top.find((box) => box.type === 'moov');
  if (moov === undefined || top.some((box) => box.type === 'mdat' && box.start > moov.start)) return undefined;
  const pad = Buffer.alloc(Math.max(16, moovAt - moov.start));
  pad.writeUInt32BE(pad.length, 0);
  pad.write('free', 4, 'latin1');
  return splice(file, moov.start, 0, pad);
}

const boxNumber = fc.nat({ max: 1000 });
const spot: fc.Arbitrary<Spot> = fc.record({ box: fc.oneof(fc.constant('anywhere' as const), boxNumber), offset: fc.nat() });
const near: fc.Arbitrary<Near> = fc.record({ near: fc.constantFrom('end' as const, 'moov' as const), delta: fc.integer({ min: -64, max: 64 }) });
const specialSize64 = fc.constantFrom(2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 2n ** 53n - 1n, 2n ** 32n, 0n, 1n, 15n, 16n);
const specialOffset = fc.constantFrom(0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n);

/** Byte-level damage: flips, overwrites and truncation, at a box or anywhere. */
export const byteMutation: fc.Arbitrary<Mp4Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: spot, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: spot, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: spot }),
);

/** Box-aware damage: sizes that lie, boxes added, removed and renamed, chunk tables that overrun. */
export const boxMutation: fc.Arbitrary<Mp4Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('size' as const), box: boxNumber, size: fc.oneof(fc.constantFrom(0, 1, 7, 8, 9, 16, 0xffffffff), fc.nat({ max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('largesize' as const), box: boxNumber, size: fc.oneof(near.map((n) => ({ ...n, delta: Math.abs(n.delta) + 1 })), specialSize64) }),
  fc.record({ kind: fc.constantFrom('duplicate' as const, 'delete' as const), box: boxNumber, fixParents: fc.boolean() }),
  fc.record({ kind: fc.constant('rename' as const), box: boxNumber, type: fc.constantFrom('moov', 'trak', 'mdia', 'minf', 'stbl', 'stco', 'co64', 'mdat', 'moof', 'free', 'ftyp') }),
  fc.record({ kind: fc.constant('overflow' as const), box: boxNumber, by: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.nat({ max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('entry-count' as const), table: boxNumber, count: fc.oneof(fc.constant('one-more' as const), fc.constantFrom(0xffffffff, 2 ** 31, 2 ** 29, 2 ** 28), fc.nat({ max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('chunk-offset' as const), table: boxNumber, entry: fc.nat(), value: fc.oneof(near, specialOffset, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }),
);

/** One to four mutations of either kind. */
export const mp4Mutations = (kinds: fc.Arbitrary<Mp4Mutation>): fc.Arbitrary<Mp4Mutation[]> => fc.array(kinds, { minLength: 1, maxLength: 4 });
