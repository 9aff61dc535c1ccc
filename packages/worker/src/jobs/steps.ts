/**
 * Timings of an ingest's steps, as debug log lines (`ingest step`: name, start, duration), so a
 * benchmark can break the time to ready down without instrumenting the code again.
 */
import type { Logger } from '@kiln/shared';

export type StepTimer = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export function logStep(log: Logger, videoId: string, step: string, started: number, ms: number): void {
  log.debug({ videoId, step, started, ms }, 'ingest step');
}

export function stepTimer(log: Logger, videoId: string): StepTimer {
  return async (name, work) => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      logStep(log, videoId, name, started, Date.now() - started);
    }
  };
}
