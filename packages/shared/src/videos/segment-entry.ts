/**
 * The segment cache index, one format for every process that reads or writes it (the worker makes
 * and pins segments, the API serves cached ones and records their access, retention evicts):
 * per rendition a Redis hash `n → SegmentCacheEntry` as JSON.
 */
export interface SegmentCacheEntry {
  readonly bytes: number;
  /** Epoch milliseconds. */
  readonly created: number;
  readonly accessed: number;
  /** Part of a pinned opening: never expired or evicted while the video exists. */
  readonly pinned?: true;
}

/** An index entry, or undefined when there is none or it is not one we can read. Unknown fields are dropped, `pinned` is kept. */
export function parseSegmentCacheEntry(raw: string | null | undefined): SegmentCacheEntry | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const { bytes, created, accessed, pinned } = JSON.parse(raw) as Partial<SegmentCacheEntry>;
    if (typeof bytes !== 'number' || typeof created !== 'number' || typeof accessed !== 'number') return undefined;
    return { bytes, created, accessed, ...(pinned === true ? { pinned } : {}) };
  } catch {
    return undefined;
  }
}
