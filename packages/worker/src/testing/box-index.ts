/**
 * A forgiving map of an MP4's boxes for the fuzz tests: where each box is and which boxes
 * enclose it, so that mutations can hit box headers, tables and parents on purpose. It stops at
 * the first box that does not fit (a mutated file is walked as far as it still parses).
 */

export interface IndexedBox {
  readonly type: string;
  readonly start: number;
  readonly headerSize: number;
  readonly size: number;
  /** Indices of the enclosing boxes, outermost first. */
  readonly ancestors: readonly number[];
}

/** Boxes whose payload is only child boxes: walked into. */
const CONTAINERS: ReadonlySet<string> = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'udta', 'mvex', 'moof', 'traf']);
const MAX_DEPTH = 8;

export function indexBoxes(bytes: Buffer): IndexedBox[] {
  const boxes: IndexedBox[] = [];
  walk(bytes, 0, bytes.length, [], boxes);
  return boxes;
}

function walk(bytes: Buffer, from: number, to: number, ancestors: readonly number[], boxes: IndexedBox[]): void {
  for (let at = from; at + 8 <= to; ) {
    const box = boxAt(bytes, at, to, ancestors);
    if (box === undefined) return;
    const index = boxes.push(box) - 1;
    if (CONTAINERS.has(box.type) && ancestors.length < MAX_DEPTH) {
      walk(bytes, at + box.headerSize, at + box.size, [...ancestors, index], boxes);
    }
    at += box.size;
  }
}

function boxAt(bytes: Buffer, at: number, to: number, ancestors: readonly number[]): IndexedBox | undefined {
  const size32 = bytes.readUInt32BE(at);
  const type = bytes.toString('latin1', at + 4, at + 8);
  if (size32 === 1 && at + 16 > to) return undefined;
  const size = size32 === 1 ? Number(bytes.readBigUInt64BE(at + 8)) : size32 === 0 ? to - at : size32;
  const headerSize = size32 === 1 ? 16 : 8;
  if (size < headerSize || at + size > to) return undefined;
  return { type, start: at, headerSize, size, ancestors };
}

/** `bytes` with `deleteCount` bytes at `at` replaced by `insert`. */
export function splice(bytes: Buffer, at: number, deleteCount: number, insert: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at + deleteCount)]);
}

/** Adds `delta` to the size of each box in `indices` (their start offsets must still be valid). */
export function resizeBoxes(bytes: Buffer, boxes: readonly IndexedBox[], indices: readonly number[], delta: number): void {
  for (const index of indices) {
    const box = boxes[index];
    const size = box.size + delta;
    if (box.headerSize === 16) bytes.writeBigUInt64BE(BigInt(size), box.start + 8);
    else if (size >= 8 && size <= 0xffffffff) bytes.writeUInt32BE(size, box.start);
  }
}

/** The chunk offset tables (`stco`, `co64`) among the indexed boxes. */
export const chunkOffsetTables = (boxes: readonly IndexedBox[]): IndexedBox[] =>
  boxes.filter((box) => box.type === 'stco' || box.type === 'co64');
