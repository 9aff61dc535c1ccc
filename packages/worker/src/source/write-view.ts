/**
 * The whole fast-start view copied to a file descriptor (`kiln faststart IN OUT`, /dev/null, a
 * FIFO): the fast path for one long sequential read. A stream hands each chunk to a consumer that
 * may keep it, so it must allocate one per read; here we know when a write is done with a buffer,
 * so source bytes go through a few reusable buffers, and reads run ahead while the previous chunk
 * is written. The leading boxes and the new moov are written from memory as they are.
 */
import { fstat, write } from 'node:fs';
import { slicesOf, type FastStartPlan, type PieceSlice } from './plan.js';
import type { RangeReader } from './range-reader.js';

/**
 * 4 MiB: with smaller reads the thread-pool round trip of each read and write shows in the
 * throughput; larger ones ran slower (`pnpm bench faststart`).
 */
export const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Two reads in flight: a page-cache read is a memcpy on a thread-pool thread, and two of them on
 * two cores copy clearly faster than one; a third added less than the noise.
 */
export const WRITE_READ_AHEAD = 2;
/**
 * A regular file gets write(2)s of at most 1 MiB: on ext4, larger writes into a new file ran
 * several times slower. Other destinations (pipes, FIFOs, devices) get whole chunks: each extra
 * write is a thread-pool round trip, which costs throughput while both cores are busy copying.
 */
export const FILE_WRITE_BYTES = 1024 * 1024;

export interface WriteViewOptions {
  readonly chunkBytes?: number;
  /** Chunk reads in flight at once (each with its own buffer). */
  readonly readAhead?: number;
  /** Called once, just before the view's first bytes go to the destination (the bench counts reads there). */
  readonly onFirstByte?: () => void;
}

/**
 * Writes all of the view to `fd` (a blocking one: a file, a FIFO, a device) at its current
 * position; resolves with the number of bytes written once the last write has finished.
 */
export async function writeViewTo(plan: FastStartPlan, reader: RangeReader, fd: number, options: WriteViewOptions = {}): Promise<number> {
  const chunkBytes = options.chunkBytes ?? WRITE_CHUNK_BYTES;
  const depth = Math.max(1, options.readAhead ?? WRITE_READ_AHEAD);
  const reads = readAhead(viewChunks(plan, chunkBytes), reader, depth, Math.min(chunkBytes, plan.size));
  const writeBytes = (await isRegularFile(fd)) ? FILE_WRITE_BYTES : chunkBytes;
  let onFirstByte = options.onFirstByte;
  let writing: Promise<void> = Promise.resolve();
  let written = 0;
  // The first chunk alone: reading ahead of the first byte would only delay it.
  reads.fill(1);
  try {
    for (let next = reads.next(); next !== undefined; next = reads.next()) {
      const bytes = await next;
      await writing;
      onFirstByte?.();
      onFirstByte = undefined;
      writing = writeFully(fd, bytes, writeBytes);
      // Awaited next turn; until then a failure must not count as an unhandled rejection.
      writing.catch(() => undefined);
      written += bytes.length;
      reads.fill(depth);
    }
    await writing;
  } finally {
    // After a failure, let the reads and the write in flight finish before the caller closes the fds.
    await Promise.allSettled([writing, reads.settled()]);
  }
  return written;
}

/**
 * Chunk reads started in view order, at most `depth` pending. Source chunks take turns over
 * depth + 1 buffers: the pending reads' and the one being written; the caller starts a write
 * only once the one before has finished, so a buffer is reused only after its write.
 */
function readAhead(chunks: Iterator<PieceSlice>, reader: RangeReader, depth: number, bufferBytes: number) {
  const spare = rotatingBuffers(depth + 1, bufferBytes);
  const pending: Promise<Buffer>[] = [];
  return {
    fill(upTo: number): void {
      while (pending.length < upTo) {
        const chunk = chunks.next();
        if (chunk.done === true) return;
        const read = fetchChunk(chunk.value, reader, spare);
        read.catch(() => undefined);
        pending.push(read);
      }
    },
    next: (): Promise<Buffer> | undefined => pending.shift(),
    settled: (): Promise<unknown> => Promise.allSettled(pending),
  };
}

/** The view's pieces cut to at most `chunkBytes`; memory pieces whole (they are written without a copy). */
function* viewChunks(plan: FastStartPlan, chunkBytes: number): Generator<PieceSlice> {
  for (const slice of slicesOf(plan, 0, plan.size)) {
    const step = slice.piece.kind === 'memory' ? slice.length : chunkBytes;
    for (let from = 0; from < slice.length; from += step) {
      yield { piece: slice.piece, from: slice.from + from, length: Math.min(step, slice.length - from) };
    }
  }
}

/** Takes turns over `count` buffers, allocated on first use (a view of only memory pieces needs none). */
function rotatingBuffers(count: number, bytes: number): () => Buffer {
  const buffers: Buffer[] = [];
  let turn = 0;
  return () => {
    const index = turn++ % count;
    buffers[index] ??= Buffer.allocUnsafeSlow(bytes);
    return buffers[index];
  };
}

function fetchChunk({ piece, from, length }: PieceSlice, reader: RangeReader, spare: () => Buffer): Promise<Buffer> {
  if (piece.kind === 'memory') return Promise.resolve(piece.bytes.subarray(from, from + length));
  if (reader.readInto === undefined) return reader.read(piece.sourceStart + from, length);
  const target = spare().subarray(0, length);
  return reader.readInto(piece.sourceStart + from, target).then(() => target);
}

function isRegularFile(fd: number): Promise<boolean> {
  return new Promise((resolve, reject) => fstat(fd, (error, stats) => (error === null ? resolve(stats.isFile()) : reject(error))));
}

/** All of `bytes`, in write(2)s of at most `writeBytes`. */
function writeFully(fd: number, bytes: Buffer, writeBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const writeFrom = (offset: number): void => {
      if (offset >= bytes.length) return resolve();
      const length = Math.min(bytes.length - offset, writeBytes);
      write(fd, bytes, offset, length, null, (error, count) => (error === null ? writeFrom(offset + count) : reject(error)));
    };
    writeFrom(0);
  });
}
