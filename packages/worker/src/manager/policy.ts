/**
 * The manager's decisions as pure functions: which run serves a request, where a new run stops,
 * when a run pauses, resumes or is given up. No I/O, no clocks of their own.
 */

/** What the policy needs to know about a run. */
export interface RunView {
  readonly id: string;
  readonly from: number;
  readonly until: number;
  readonly lastClosed: number;
  readonly furthestRequested: number;
  readonly lastRequestAt: number;
  readonly paused: boolean;
  /** Playback sessions that asked this run for a segment (requests without one are not counted). */
  readonly sessions: ReadonlySet<string>;
  /** When its only session switched away (`runsLeftBy`), unless someone asked it for a segment since. */
  readonly leftAt?: number;
}

/**
 * How long a run its session left stays paused for that session to come back (an ABR player often
 * switches back within a segment or two); after that it is stopped, freeing its memory at once
 * rather than after the idle limit. Its segments are kept, so a return costs one cold start.
 */
export const LEFT_GRACE_MS = 5_000;

export interface PolicyLimits {
  /** A run more than this many segments ahead of its furthest request pauses. */
  readonly runAhead: number;
  /** A request this many segments or fewer past a run's next segment waits for it; further is a seek. */
  readonly seekDistance: number;
  /** A run nobody asked anything of for this long is stopped (ms). */
  readonly idleMs: number;
}

/** The live run of the same rendition that will reach `index` soon, nearest first; undefined means seek. */
export function runToReuse<R extends RunView>(runs: readonly R[], index: number, seekDistance: number): R | undefined {
  const candidates = runs.filter((run) => index >= run.from && index < run.until && index <= run.lastClosed + 1 + seekDistance);
  return candidates.sort((a, b) => b.lastClosed - a.lastClosed)[0];
}

/**
 * Where a run starting at `from` stops: before the first later segment that already exists or that
 * another live run starts at, and after at most `maxSegments` (the keyframe list must fit one argument).
 */
export function runUntil(from: number, segmentCount: number, exists: (index: number) => boolean, otherStarts: readonly number[], maxSegments: number): number {
  const limit = Math.min(segmentCount, from + maxSegments);
  const nextRun = Math.min(limit, ...otherStarts.filter((start) => start > from));
  for (let index = from + 1; index < nextRun; index += 1) {
    if (exists(index)) return index;
  }
  return nextRun;
}

export type ThrottleAction = 'pause' | 'resume' | 'none';

/** Pause a run that is `runAhead` segments past what its player asked for; resume once it is not. */
export function throttleAction(run: RunView, runAhead: number): ThrottleAction {
  const ahead = run.lastClosed - run.furthestRequested;
  if (!run.paused && ahead >= runAhead) return 'pause';
  if (run.paused && ahead < runAhead) return 'resume';
  return 'none';
}

/**
 * Nobody asked the run for anything during `idleMs`, or its session left it more than `LEFT_GRACE_MS`
 * ago; a run a client is waiting on (`waitedOn`) is not idle, however long its segment takes.
 */
export function isIdle(run: RunView, now: number, idleMs: number, waitedOn = false): boolean {
  if (waitedOn) return false;
  return now - run.lastRequestAt > idleMs || (run.leftAt !== undefined && now - run.leftAt > Math.min(idleMs, LEFT_GRACE_MS));
}

/**
 * Runs of a video's other renditions that no session but `session` asked for: the session has
 * switched away from them (a player's ABR), so they pause at once, giving the CPU to the rendition
 * it plays now; paused, they are the first to give up their slots (`runToEvict`). A request of the
 * rendition again resumes them.
 */
export function runsLeftBy<R extends RunView>(otherRenditions: readonly R[], session: string): R[] {
  return otherRenditions.filter((run) => !run.paused && run.sessions.size > 0 && [...run.sessions].every((asker) => asker === session));
}

/** At capacity, a seek may take the slot of the same rendition's run that was asked least recently. */
export function runToReplace<R extends RunView>(sameRendition: readonly R[]): R | undefined {
  return [...sameRendition].sort((a, b) => a.lastRequestAt - b.lastRequestAt)[0];
}

/**
 * At capacity, a request of another video may take the slot of a paused run: it is ahead of its
 * player, and stopping it loses nothing made (its segments are kept); the one asked least recently
 * goes. A running one is never taken: its player is waiting on it.
 */
export function runToEvict<R extends RunView>(runs: readonly R[]): R | undefined {
  return runToReplace(runs.filter((run) => run.paused));
}
