/** Reading the fast-start view: the plan's pieces filled from memory and from range reads of the source. */
import { Readable } from 'node:stream';
import { pieceLength, slicesOf, type FastStartPlan, type ViewPiece } from './plan.js';
import type { RangeReader } from './range-reader.js';

/** 1 MiB: large enough that a range GET's latency is amortised, small enough to bound read-ahead. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** View bytes [offset, offset + length), clipped to the view's size. */
export async function readView(plan: FastStartPlan, reader: RangeReader, offset: number, length: number): Promise<Buffer> {
  const parts = await Promise.all(
    slicesOf(plan, offset, offset + length).map(({ piece, from, length: sliceLength }) =>
      piece.kind === 'memory'
        ? Promise.resolve(piece.bytes.subarray(from, from + sliceLength))
        : reader.read(piece.sourceStart + from, sliceLength),
    ),
  );
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** The view as a RangeReader of its own: so the same box scanner can check what the view holds. */
export function viewRangeReader(plan: FastStartPlan, reader: RangeReader): RangeReader {
  return { size: plan.size, read: (offset, length) => readView(plan, reader, offset, length) };
}

export interface ViewStreamOptions {
  readonly start?: number;
  /** Exclusive; defaults to the view's size. */
  readonly end?: number;
  readonly chunkBytes?: number;
  /**
   * Reads double from `chunkBytes` up to this size once `growAfterBytes` have been streamed: a
   * response abandoned early (ffmpeg probing before a seek) costs only small reads, a long
   * sequential one soon reads in large ranges.
   */
  readonly maxChunkBytes?: number;
  readonly growAfterBytes?: number;
  /** Before reading past `offset`, wait for `until()` (the endpoint's seek hold). */
  readonly pauseAt?: { readonly offset: number; readonly until: () => Promise<void> };
}

/**
 * View bytes as a stream that reads the source only when the consumer asks. Reads start at
 * `chunkBytes` and double once `growAfterBytes` have been streamed: a consumer that stops early
 * (ffmpeg seeking away) costs little. Past that point, a reader that can stream (object storage)
 * sends the rest of each source piece as one request: no request per MiB, no copy into a
 * buffer per read, and backpressure from the consumer bounds what is read ahead.
 */
export function createViewStream(plan: FastStartPlan, reader: RangeReader, options: ViewStreamOptions = {}): Readable {
  return Readable.from(viewChunks(plan, reader, options), { objectMode: false, highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
}

async function* viewChunks(plan: FastStartPlan, reader: RangeReader, options: ViewStreamOptions): AsyncGenerator<Buffer> {
  const end = Math.min(options.end ?? plan.size, plan.size);
  let chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const maxChunkBytes = Math.max(chunkBytes, options.maxChunkBytes ?? chunkBytes);
  let position = options.start ?? 0;
  const growFrom = position + (options.growAfterBytes ?? 0);
  let pause = options.pauseAt !== undefined && options.pauseAt.offset > position && options.pauseAt.offset < end ? options.pauseAt : undefined;
  while (position < end) {
    if (pause !== undefined && position === pause.offset) {
      await pause.until();
      pause = undefined;
    }
    const piece = pieceAt(plan, position);
    const stop = Math.min(pause === undefined ? end : pause.offset, piece === undefined ? plan.size : piece.viewStart + pieceLength(piece));
    if (reader.stream !== undefined && position >= growFrom && piece?.kind === 'source') {
      yield* reader.stream(piece.sourceStart + position - piece.viewStart, stop - position);
      position = stop;
      continue;
    }
    const length = Math.min(chunkBytes, stop - position);
    yield await readView(plan, reader, position, length);
    position += length;
    if (position >= growFrom) chunkBytes = Math.min(chunkBytes * 2, maxChunkBytes);
  }
}

function pieceAt(plan: FastStartPlan, position: number): ViewPiece | undefined {
  return plan.pieces.find((piece) => position >= piece.viewStart && position < piece.viewStart + pieceLength(piece));
}
