/**
 * How long the security suite's properties run: a fixed seed and a modest count by default, so CI
 * is quick and a failure replays; `KILN_FUZZ_RUNS` for a longer local campaign, `KILN_FUZZ_SEED`
 * for another sequence (the same variables as the byte-parser fuzzing). A time limit bounds each
 * property however many runs are asked for; the count actually tried goes to the test output.
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
  /** Stop starting new cases after this long; a longer campaign (`KILN_FUZZ_RUNS`) gets 10 minutes. */
  readonly timeLimitMs: number;
}

/** At least this many cases must run, or the time limit is too tight for the machine and the test says so. */
const MIN_CASES = 20;

/**
 * Checks the property with the fuzz seed, count and time limit, tells the test output how many cases
 * it tried, and fails with fast-check's report (seed, path and the shrunk counterexample).
 */
export async function checkFuzz<T>(t: TestContext, property: fc.IAsyncPropertyWithHooks<T>, budget: FuzzBudget): Promise<number> {
  const seed = fuzzSeed();
  const numRuns = fuzzRuns(budget.runs);
  const timeLimit = numRuns > budget.runs ? 600_000 : budget.timeLimitMs;
  const details = await fc.check(property, { numRuns, seed, interruptAfterTimeLimit: timeLimit, markInterruptAsFailure: false });
  const tried = details.numRuns;
  t.diagnostic(`${tried} cases tried (seed ${seed}, ${numRuns} asked)${details.failed ? ', 1 failed' : ''}`);
  if (details.failed) {
    const cause = details.errorInstance;
    const why = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    throw new Error(`${fc.defaultReportMessage(details) ?? `a fuzz case failed (seed ${seed})`}\n${why}`, { cause });
  }
  if (tried < Math.min(MIN_CASES, numRuns)) throw new Error(`only ${tried} cases ran within ${timeLimit} ms`);
  return tried;
}
