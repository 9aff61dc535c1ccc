/**
 * The segment cache as the worker writes it (packages/worker/src/segments/cache.ts): objects at
 * `segments/{video}/{rendition}/{n}.ts`, a Redis hash per rendition `n → {"bytes","created","accessed"}`
 * and a sorted set of `{video}/{rendition}/{n}` by last access.
 */
export interface CacheEntry {
  readonly bytes: number;
  readonly created: number;
  readonly accessed: number;
}

export function segmentObjectKey(videoId: string, renditionId: string, segment: number): string {
  return `segments/${videoId}/${renditionId}/${segment}.ts`;
}

export function cacheMember(videoId: string, renditionId: string, segment: number): string {
  return `${videoId}/${renditionId}/${segment}`;
}

/** An index entry, or undefined when there is none or it is not one we can read. */
export function parseCacheEntry(raw: string | null): CacheEntry | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<CacheEntry>;
    const { bytes, created, accessed } = value;
    return typeof bytes === 'number' && typeof created === 'number' && typeof accessed === 'number' ? { bytes, created, accessed } : undefined;
  } catch {
    return undefined;
  }
}
