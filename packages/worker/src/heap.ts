/**
 * The worker's V8 heap. Media streams through the worker at the encoder's pace: a source relayed to
 * ffmpeg, its output segmented and uploaded. At that steady, slow allocation rate V8 keeps the old
 * generation just above what survived the last full collection, so the heap is mark-compacted
 * every couple of seconds, a large share of the worker's CPU during a run; letting the heap grow
 * further between collections removes most of them (docs/architecture.md "Worker runs").
 */
import { setFlagsFromString } from 'node:v8';

/** V8 flags for a growth of `percent` (0: V8's own heuristics, no flag). */
export function heapFlags(percent: number): string[] {
  if (!Number.isSafeInteger(percent) || percent < 0) throw new RangeError(`a heap growth of ${percent}% is not a whole, non-negative percentage`);
  return percent === 0 ? [] : [`--heap-growing-percent=${percent}`];
}

/** Applies `heapFlags` to this process; V8 reads the growth at every full collection, so it holds from the next one. */
export function tuneWorkerHeap(percent: number): void {
  for (const flag of heapFlags(percent)) setFlagsFromString(flag);
}
