/**
 * Recently closed segments, in memory, bounded in bytes: a segment is served from here the moment
 * the segmenter closes it, before (and while) it is uploaded. Least recently used goes first.
 * Requests may wait for a segment that is not there yet; a run that fails wakes its waiters.
 */
export interface StoredSegment {
  readonly bytes: Buffer;
  /** The run that made it (for logs, and for tests mixing runs). */
  readonly runId: string;
}

interface Waiter {
  resolve(segment: StoredSegment): void;
  reject(error: Error): void;
}

export function segmentKey(videoId: string, renditionId: string, index: number): string {
  return `${videoId}/${renditionId}/${index}`;
}

/** The segment index in a `segmentKey` of this video and rendition, else undefined. */
export function segmentIndexOf(key: string, videoId: string, renditionId: string): number | undefined {
  const prefix = `${videoId}/${renditionId}/`;
  return key.startsWith(prefix) ? Number(key.slice(prefix.length)) : undefined;
}

export class MemoryStore {
  private readonly segments = new Map<string, StoredSegment>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.segments.size;
  }

  get(key: string): StoredSegment | undefined {
    const segment = this.segments.get(key);
    if (segment !== undefined) {
      // Map order is the LRU order: move it to the end.
      this.segments.delete(key);
      this.segments.set(key, segment);
    }
    return segment;
  }

  has(key: string): boolean {
    return this.segments.has(key);
  }

  put(key: string, segment: StoredSegment): void {
    this.remove(key);
    this.segments.set(key, segment);
    this.total += segment.bytes.length;
    for (const waiter of this.waiters.get(key) ?? []) waiter.resolve(segment);
    this.waiters.delete(key);
    this.evict();
  }

  /** Resolves with the segment as soon as it is put, or undefined after `timeoutMs`. */
  waitFor(key: string, timeoutMs: number): Promise<StoredSegment | undefined> {
    const present = this.get(key);
    if (present !== undefined) return Promise.resolve(present);
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, set);
      const waiter: Waiter = {
        resolve: (segment) => settle(() => resolve(segment)),
        reject: (error) => settle(() => reject(error)),
      };
      const timer = setTimeout(() => settle(() => resolve(undefined)), timeoutMs);
      const settle = (then: () => void) => {
        clearTimeout(timer);
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        then();
      };
      set.add(waiter);
    });
  }

  /** True when a request waits for a key that `matches`. */
  isWaitedFor(matches: (key: string) => boolean): boolean {
    for (const key of this.waiters.keys()) if (matches(key)) return true;
    return false;
  }

  /** Fails every request waiting for a key that `matches` (a run that died will not make them). */
  failWaiters(matches: (key: string) => boolean, error: Error): void {
    for (const [key, set] of [...this.waiters]) {
      if (matches(key)) for (const waiter of [...set]) waiter.reject(error);
    }
  }

  private remove(key: string): void {
    const old = this.segments.get(key);
    if (old === undefined) return;
    this.total -= old.bytes.length;
    this.segments.delete(key);
  }

  private evict(): void {
    for (const key of this.segments.keys()) {
      if (this.total <= this.maxBytes || this.segments.size <= 1) break;
      this.remove(key);
    }
  }
}
