import type { Readable } from 'node:stream';
import { SourceErrors } from './errors.js';
import { chunkOffsetAt, parseMoov, rewriteMoov, type ParsedMoov } from './moov.js';
import { identityPlan, moveMapping, relocatedPlan, type FastStartPlan, type MoovMove } from './plan.js';
import type { RangeReader } from './range-reader.js';
import { scanTopLevel, type ScannedSource } from './scan.js';
import { createViewStream, readView, type ViewStreamOptions } from './view.js';
import { writeViewTo, type WriteViewOptions } from './write-view.js';

export interface FastStartView {
  readonly plan: FastStartPlan;
  readonly sourceSize: number;
  /** Top-level box types as scanned (up to the moov when it already comes first). */
  readonly layout: readonly string[];
  readonly fragmented: boolean;
  readonly moovSize: number;
  /** The moov's size in the view (larger when stco tables were promoted to co64). */
  readonly viewMoovSize: number;
  /** The view offset just past the moov: what a reader needs before it can seek. */
  readonly moovEndInView: number;
  /** The view's bytes as one sequential stream (for ffmpeg's stdin), or a range of them. */
  stream(options?: ViewStreamOptions): Readable;
  read(offset: number, length: number): Promise<Buffer>;
  /** All of the view written to a blocking fd (a file, a FIFO): the fast sequential copy; resolves with the bytes written. */
  writeTo(fd: number, options?: WriteViewOptions): Promise<number>;
}

/**
 * Finds the moov with a few range reads and plans the fast-start view: the leading boxes, the moov
 * with its chunk offsets moved, then the media. A source whose moov already precedes its media,
 * or a fragmented one, is its own view.
 */
export async function openFastStartView(reader: RangeReader): Promise<FastStartView> {
  const scan = await scanTopLevel(reader);
  const moov = parseMoov(scan.moovBytes);
  const move = moovMove(scan);
  checkChunkOffsets(moov, scan, move);
  const newMoov = move === undefined ? undefined : rewriteMoov(moov, moveMapping(move));
  const plan =
    move === undefined || newMoov === undefined
      ? identityPlan(scan.size)
      : relocatedPlan({ sourceSize: scan.size, move, newMoov, prefix: scan.prefix });
  return {
    plan,
    sourceSize: scan.size,
    layout: scan.boxes.map((box) => box.type),
    fragmented: scan.fragmented,
    moovSize: scan.moov.size,
    viewMoovSize: newMoov?.length ?? scan.moov.size,
    moovEndInView: move === undefined || newMoov === undefined ? scan.moov.start + scan.moov.size : move.mediaStart + newMoov.length,
    stream: (options) => createViewStream(plan, reader, options),
    read: (offset, length) => readView(plan, reader, offset, length),
    writeTo: (fd, options) => writeViewTo(plan, reader, fd, options),
  };
}

/** The move to make, or undefined when the moov already precedes every mdat (or the file is fragmented). */
function moovMove(scan: ScannedSource): MoovMove | undefined {
  if (scan.fragmented) return undefined;
  const firstMdat = scan.boxes.find((box) => box.type === 'mdat');
  if (firstMdat === undefined || firstMdat.start > scan.moov.start) return undefined;
  return { mediaStart: firstMdat.start, moovStart: scan.moov.start, moovEnd: scan.moov.start + scan.moov.size };
}

/** Chunks past the end mean a cut upload; chunks inside the moov mean a moov that lies. */
function checkChunkOffsets(moov: ParsedMoov, scan: ScannedSource, move: MoovMove | undefined): void {
  for (const table of moov.tables) {
    for (let i = 0; i < table.entryCount; i++) {
      const offset = chunkOffsetAt(moov, table, i);
      if (offset >= scan.size) {
        throw SourceErrors.create('SOURCE_TRUNCATED', `a chunk starts at ${offset}, past the end of the source (${scan.size} bytes)`, {
          details: { chunkOffset: offset, size: scan.size },
        });
      }
      if (move !== undefined && offset >= move.moovStart && offset < move.moovEnd) {
        throw SourceErrors.create('SOURCE_MOOV_INVALID', `a chunk offset (${offset}) points inside the moov`, { details: { chunkOffset: offset } });
      }
    }
  }
}
