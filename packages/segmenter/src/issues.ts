/** Counts input faults by code and logs them without flooding: the first ten of a kind, then every thousandth. */
import { SEGMENTER_ERRORS, type SegmenterErrorCode, type SegmenterLogger } from './errors.js';

export class IssueCounter {
  private readonly counts: Partial<Record<SegmenterErrorCode, number>> = {};

  constructor(private readonly logger: SegmenterLogger | undefined) {}

  report(code: SegmenterErrorCode, details: Record<string, unknown>): void {
    const count = (this.counts[code] ?? 0) + 1;
    this.counts[code] = count;
    if (count <= 10 || count % 1000 === 0) this.logger?.warn({ code, count, ...details }, SEGMENTER_ERRORS[code].message);
  }

  snapshot(): Partial<Record<SegmenterErrorCode, number>> {
    return { ...this.counts };
  }
}
