/**
 * Running fast-check fuzz properties: a fixed seed and a few hundred cases by default, so CI is
 * fast and a failure replays; `KILN_FUZZ_RUNS=20000` for a longer local campaign and
 * `KILN_FUZZ_SEED` for another sequence.
 */
import type { TestContext } from 'node:test';
import fc from 'fast-check';

export const DEFAULT_FUZZ_SEED = 0x6b696c6e; // "kiln"

function positiveIntegerFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Cases per property: `KILN_FUZZ_RUNS` when set, else the test's default. */
export const fuzzRuns = (defaultRuns: number): number => positiveIntegerFromEnv('KILN_FUZZ_RUNS') ?? defaultRuns;

export const fuzzSeed = (): number => positiveIntegerFromEnv('KILN_FUZZ_SEED') ?? DEFAULT_FUZZ_SEED;

export interface FuzzBudget {
  readonly runs: number;
  /** Stop starting new cases after this long; a longer campaign (`KILN_FUZZ_RUNS` above `runs`) gets 10 minutes. */
  readonly timeLimitMs?: number;
}

/** With a time limit, at least this many cases must run, or the limit is too tight for the machine and the test says so. */
const MIN_CASES = 20;

/**
 * Checks the property with the fuzz seed, run count and (optionally) a time limit, tells the test
 * output how many cases it tried, and fails with fast-check's report (seed, path and the shrunk
 * counterexample).
 */
export async function checkFuzz<T>(t: TestContext, property: fc.IRawProperty<T>, budget: number | FuzzBudget): Promise<number> {
  const { runs, timeLimitMs } = typeof budget === 'number' ? { runs: budget, timeLimitMs: undefined } : budget;
  const seed = fuzzSeed();
  const numRuns = fuzzRuns(runs);
  const timeLimit = timeLimitMs === undefined ? undefined : numRuns > runs ? 600_000 : timeLimitMs;
  const limit = timeLimit === undefined ? {} : { interruptAfterTimeLimit: timeLimit, markInterruptAsFailure: false };
  const details = await fc.check(property, { numRuns, seed, ...limit });
  t.diagnostic(`${details.numRuns} cases tried (seed ${seed}, ${numRuns} asked)${details.failed ? ', 1 failed' : ''}`);
  if (details.failed) {
    const cause = details.errorInstance;
    const why = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    throw new Error(`${fc.defaultReportMessage(details) ?? `a fuzz case failed (seed ${seed})`}\n${why}`, { cause });
  }
  if (timeLimit !== undefined && details.numRuns < Math.min(MIN_CASES, numRuns)) throw new Error(`only ${details.numRuns} cases ran within ${timeLimit} ms`);
  return details.numRuns;
}

/**
 * `work` must settle within `ms`: a case that hangs fails instead of stalling the suite. The time
 * is measured too, since a timer cannot fire while synchronous parsing holds the thread.
 */
export async function withDeadline<T>(work: () => Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${ms} ms`)), ms);
  });
  const started = performance.now();
  try {
    const result = await Promise.race([work(), deadline]);
    const elapsed = performance.now() - started;
    if (elapsed > ms) throw new Error(`${label}: took ${Math.round(elapsed)} ms, more than ${ms} ms`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
