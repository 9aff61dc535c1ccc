import type { Logger } from 'pino';

export interface RunningService {
  /** Stops taking work, finishes or hands back what is in flight, releases connections. */
  stop(): Promise<void>;
}

export interface ServiceRunOptions {
  readonly log: Logger;
  /** How long stop() may take before the process exits anyway. */
  readonly graceMs: number;
  /**
   * Set by `kiln up`: the supervisor holds our stdin open, so its end means the supervisor is
   * gone (even by SIGKILL) and we must not outlive it.
   */
  readonly exitWhenStdinCloses?: boolean;
  /**
   * From `shutdownRequested()` called when the process began: a SIGTERM that arrives while the
   * service is still starting (its port already visible to others) then stops it once it is up,
   * instead of killing it with the default action.
   */
  readonly requested?: Promise<string>;
}

/** Starts listening for SIGTERM/SIGINT (and the supervisor's disappearance) now; resolves with the reason. */
export function shutdownRequested(exitWhenStdinCloses = false): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    if (exitWhenStdinCloses) {
      process.stdin.on('end', () => resolve('supervisor gone')).on('error', () => resolve('supervisor gone'));
      process.stdin.resume();
    }
  });
}

/**
 * Runs a long-lived service until SIGTERM/SIGINT (or its supervisor vanishes), then stops it
 * within the grace period. Resolves with the process exit code.
 */
export async function runUntilSignalled(service: RunningService, options: ServiceRunOptions): Promise<number> {
  const reason = await (options.requested ?? shutdownRequested(options.exitWhenStdinCloses));
  options.log.info({ reason, graceMs: options.graceMs }, 'stopping');
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<'overdue'>((resolve) => {
    timer = setTimeout(() => resolve('overdue'), options.graceMs);
  });
  try {
    const outcome = await Promise.race([service.stop().then(() => 'stopped' as const), overdue]);
    if (outcome === 'overdue') {
      options.log.warn({ graceMs: options.graceMs }, 'did not stop within the grace period; exiting anyway');
      return 1;
    }
    options.log.info('stopped');
    return 0;
  } catch (error) {
    options.log.error({ err: error }, 'failed while stopping');
    return 1;
  } finally {
    clearTimeout(timer);
    if (options.exitWhenStdinCloses) process.stdin.pause();
  }
}
