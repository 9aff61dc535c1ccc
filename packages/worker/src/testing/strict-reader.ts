/**
 * An in-memory RangeReader for the fuzz tests that holds the parsers to the reader's contract:
 * every range inside the source, whole numbers only. It hands out views of one buffer, so the
 * memory a case uses is the parser's own; it counts what was asked for.
 */
import type { RangeReader, ReadStats } from '../source/range-reader.js';

export interface StrictRangeReader extends RangeReader {
  readonly stats: ReadStats & { largest: number };
}

export function strictRangeReader(bytes: Buffer): StrictRangeReader {
  const stats = { reads: 0, bytes: 0, largest: 0 };
  const range = (offset: number, length: number): Buffer => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new RangeContractError(`read(${offset}, ${length}) outside a source of ${bytes.length} bytes`);
    }
    stats.reads++;
    stats.bytes += length;
    stats.largest = Math.max(stats.largest, length);
    return bytes.subarray(offset, offset + length);
  };
  return {
    size: bytes.length,
    stats,
    read: (offset, length) => Promise.resolve().then(() => range(offset, length)),
    readInto: (offset, target) => Promise.resolve().then(() => void range(offset, target.length).copy(target)),
  };
}

/** A parser asked for bytes the source does not have: a bug in the caller, never the upload's fault. */
export class RangeContractError extends Error {
  override readonly name = 'RangeContractError';
}
