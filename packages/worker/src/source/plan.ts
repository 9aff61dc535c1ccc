/**
 * The fast-start view as a list of pieces: bytes held in memory (the leading boxes, the rewritten
 * moov) and ranges of the source (the media). Pure: which source bytes a view range needs is
 * computed here; reading them is the caller's business.
 */
import type { OffsetMapping } from './moov.js';

export type ViewPiece =
  | { readonly kind: 'memory'; readonly viewStart: number; readonly bytes: Buffer }
  | { readonly kind: 'source'; readonly viewStart: number; readonly sourceStart: number; readonly length: number };

export interface FastStartPlan {
  readonly size: number;
  readonly pieces: readonly ViewPiece[];
  /** False when the source is already fast-start (or fragmented): the view is the source byte for byte. */
  readonly relocated: boolean;
  /** The view position of a source byte; undefined for a byte of the moov the view has replaced. */
  sourceToView(sourceOffset: number): number | undefined;
}

/** Where the moov sits in the source and where the media before it starts. */
export interface MoovMove {
  /** Start of the first mdat: the rewritten moov goes here. */
  readonly mediaStart: number;
  readonly moovStart: number;
  readonly moovEnd: number;
}

/**
 * Source bytes before the first mdat stay; bytes from there to the moov move up by the new moov's
 * size; bytes after the old moov move by the difference of the two sizes.
 */
export function moveMapping(move: MoovMove): OffsetMapping {
  return (offset, newMoovSize) => {
    if (offset < move.mediaStart) return offset;
    if (offset < move.moovStart) return offset + newMoovSize;
    return offset + newMoovSize - (move.moovEnd - move.moovStart);
  };
}

export function identityPlan(size: number): FastStartPlan {
  return {
    size,
    pieces: size === 0 ? [] : [{ kind: 'source', viewStart: 0, sourceStart: 0, length: size }],
    relocated: false,
    sourceToView: (offset) => offset,
  };
}

export interface RelocatedPlanInput {
  readonly sourceSize: number;
  readonly move: MoovMove;
  readonly newMoov: Buffer;
  /** The first source bytes already read; the leading boxes are served from here when they fit. */
  readonly prefix: Buffer;
}

export function relocatedPlan({ sourceSize, move, newMoov, prefix }: RelocatedPlanInput): FastStartPlan {
  const pieces: ViewPiece[] = [];
  let viewAt = 0;
  const addSource = (sourceStart: number, end: number) => {
    if (end <= sourceStart) return;
    pieces.push({ kind: 'source', viewStart: viewAt, sourceStart, length: end - sourceStart });
    viewAt += end - sourceStart;
  };
  const addMemory = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    pieces.push({ kind: 'memory', viewStart: viewAt, bytes });
    viewAt += bytes.length;
  };
  if (move.mediaStart <= prefix.length) addMemory(prefix.subarray(0, move.mediaStart));
  else addSource(0, move.mediaStart);
  addMemory(newMoov);
  addSource(move.mediaStart, move.moovStart);
  addSource(move.moovEnd, sourceSize);
  const mapping = moveMapping(move);
  return {
    size: viewAt,
    pieces,
    relocated: true,
    sourceToView: (offset) => (offset >= move.moovStart && offset < move.moovEnd ? undefined : mapping(offset, newMoov.length)),
  };
}

/** One piece's share of a view range. */
export interface PieceSlice {
  readonly piece: ViewPiece;
  /** Offset inside the piece. */
  readonly from: number;
  readonly length: number;
}

/** The pieces that make up view bytes [start, end), in order; the range is clipped to the view. */
export function slicesOf(plan: FastStartPlan, start: number, end: number): PieceSlice[] {
  const slices: PieceSlice[] = [];
  const stop = Math.min(end, plan.size);
  for (const piece of plan.pieces) {
    const pieceEnd = piece.viewStart + pieceLength(piece);
    if (pieceEnd <= start || piece.viewStart >= stop) continue;
    const from = Math.max(start, piece.viewStart) - piece.viewStart;
    slices.push({ piece, from, length: Math.min(stop, pieceEnd) - piece.viewStart - from });
  }
  return slices;
}

export function pieceLength(piece: ViewPiece): number {
  return piece.kind === 'memory' ? piece.bytes.length : piece.length;
}
