/**
 * Which cached segments retention deletes, decided from the index alone (no I/O): pinned openings of
 * a video that exists are kept; any other segment expires `maxAgeMs` after its last access; then,
 * while the cache holds more than `maxBytes`, the least recently used unpinned segments go first.
 */

export interface IndexedSegment {
  readonly videoId: string;
  readonly renditionId: string;
  readonly index: number;
  readonly bytes: number;
  /** Last access, epoch milliseconds. */
  readonly accessed: number;
  readonly pinned: boolean;
  /** False when the video's record is gone: its pins protect nothing any more. */
  readonly videoExists: boolean;
}

export interface RetentionLimits {
  /** Epoch milliseconds. */
  readonly now: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
}

export type EvictionReason = 'expired' | 'over-budget';

export interface Eviction<Segment extends IndexedSegment = IndexedSegment> {
  readonly segment: Segment;
  readonly reason: EvictionReason;
}

const isProtected = (segment: IndexedSegment) => segment.pinned && segment.videoExists;

/** Oldest access first; ties broken by video, rendition and number so the order is stable. */
export function leastRecentlyUsedFirst(a: IndexedSegment, b: IndexedSegment): number {
  return a.accessed - b.accessed
    || compareText(a.videoId, b.videoId)
    || compareText(a.renditionId, b.renditionId)
    || a.index - b.index;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The segments to delete and why: expired ones first, then the budget's, each in LRU order. */
export function chooseEvictions<Segment extends IndexedSegment>(segments: readonly Segment[], limits: RetentionLimits): Eviction<Segment>[] {
  const candidates = segments.filter((segment) => !isProtected(segment)).sort(leastRecentlyUsedFirst);
  const expired = candidates.filter((segment) => limits.now - segment.accessed >= limits.maxAgeMs);
  const gone = new Set<Segment>(expired);
  let total = segments.reduce((sum, segment) => sum + (gone.has(segment) ? 0 : segment.bytes), 0);
  const overBudget: Segment[] = [];
  for (const segment of candidates) {
    if (total <= limits.maxBytes) break;
    if (gone.has(segment)) continue;
    overBudget.push(segment);
    total -= segment.bytes;
  }
  return [
    ...expired.map((segment) => ({ segment, reason: 'expired' as const })),
    ...overBudget.map((segment) => ({ segment, reason: 'over-budget' as const })),
  ];
}
