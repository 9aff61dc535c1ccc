/** How the benchmarks summarize their rounds: medians, ranges, times. Pure. */

/** The middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2 : (sorted[Math.floor(middle)] ?? Number.NaN);
}

export const ms = (value: number): string => `${value.toFixed(0)} ms`;

/** `median [min–max]`. */
export const range = (samples: readonly number[], digits = 2): string =>
  `${median(samples).toFixed(digits)} [${Math.min(...samples).toFixed(digits)}–${Math.max(...samples).toFixed(digits)}]`;

/** Each sample divided by its round's floor (or peer). */
export const ratios = (values: readonly number[], floors: readonly number[]): number[] => values.map((value, i) => value / (floors[i] ?? Number.NaN));
