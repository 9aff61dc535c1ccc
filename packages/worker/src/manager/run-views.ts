/**
 * What the manager shows of a run: to its routes (`RunSummary`), to its policy (`RunView`), and
 * which of a run's segments a waiting request still needs from it.
 */
import { segmentIndexOf } from '../segments/memory-store.js';
import type { TranscodeRun } from '../transcode/run.js';
import type { RunView } from './policy.js';

export interface RunSummary {
  readonly id: string;
  readonly video: string;
  readonly rendition: string;
  readonly from: number;
  readonly until: number;
  readonly lastClosed: number;
  readonly furthestRequested: number;
  readonly state: string;
  readonly endReason?: string;
  readonly error?: string;
}

export function summary(run: TranscodeRun): RunSummary {
  return {
    id: run.id, video: run.target.videoId, rendition: run.target.rendition.id, from: run.target.from, until: run.target.until,
    lastClosed: run.lastClosed, furthestRequested: run.furthestRequested, state: run.state,
    ...(run.endReason === undefined ? {} : { endReason: run.endReason }),
    ...(run.error === undefined ? {} : { error: run.error.code }),
  };
}

export function view(run: TranscodeRun): RunView {
  return {
    id: run.id, from: run.target.from, until: run.target.until, lastClosed: run.lastClosed,
    furthestRequested: run.furthestRequested, lastRequestAt: run.lastRequestAt, paused: run.state === 'paused', sessions: run.sessions,
    ...(run.leftAt === undefined ? {} : { leftAt: run.leftAt }),
  };
}

/** The index of the segment `key` names when `run` is still to make it, else undefined. */
export function pendingIndex(run: TranscodeRun, key: string): number | undefined {
  const index = segmentIndexOf(key, run.target.videoId, run.target.rendition.id);
  return index !== undefined && index > run.lastClosed && run.covers(index) ? index : undefined;
}
