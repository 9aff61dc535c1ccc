/**
 * ITU-T H.264/H.265 Annex B byte stream: NAL units after 00 00 01 start codes.
 * The scanner looks only at the start of an access unit, up to its first slice, and keeps
 * its state between calls so start codes split across TS packets are found.
 */

export type NalClassifier = (headerByte: number) => -1 | 0 | 1;

export const KEY_UNDECIDED = 0;
export const KEY_YES = 1;
export const KEY_NO = 2;
export type KeyVerdict = typeof KEY_UNDECIDED | typeof KEY_YES | typeof KEY_NO;

/** Give up looking for the first slice after this many bytes of an access unit. */
export const DEFAULT_SCAN_LIMIT = 256 * 1024;

export class AccessUnitKeyScanner {
  private zeros = 0;
  private headerPending = false;
  private scanned = 0;
  private verdict: KeyVerdict = KEY_UNDECIDED;
  /** True when the scan ended because of the byte limit (no slice found). */
  limitReached = false;

  constructor(
    private readonly classify: NalClassifier,
    private readonly limit = DEFAULT_SCAN_LIMIT,
  ) {}

  reset(): void {
    this.zeros = 0;
    this.headerPending = false;
    this.scanned = 0;
    this.verdict = KEY_UNDECIDED;
    this.limitReached = false;
  }

  get decided(): boolean {
    return this.verdict !== KEY_UNDECIDED;
  }

  /** Scans buf[start, end) of the access unit; returns the verdict so far. */
  feed(buf: Uint8Array, start: number, end: number): KeyVerdict {
    if (this.verdict !== KEY_UNDECIDED) return this.verdict;
    let i = start;
    if (this.headerPending && i < end) {
      // The previous payload ended right after a start code: this byte is the NAL header.
      this.headerPending = false;
      const kind = this.classify(buf[i]);
      if (kind >= 0) return this.decide(kind === 1 ? KEY_YES : KEY_NO);
      i++;
    }
    let zeros = this.zeros;
    for (; i < end; i++) {
      const byte = buf[i];
      if (byte === 0) {
        zeros++;
        continue;
      }
      if (byte === 1 && zeros >= 2) {
        if (i + 1 === end) {
          this.headerPending = true;
          zeros = 0;
          break;
        }
        const kind = this.classify(buf[i + 1]);
        if (kind >= 0) return this.decide(kind === 1 ? KEY_YES : KEY_NO);
      }
      zeros = 0;
    }
    this.zeros = zeros;
    return this.count(end - start);
  }

  private count(bytes: number): KeyVerdict {
    this.scanned += bytes;
    if (this.scanned < this.limit) return KEY_UNDECIDED;
    this.limitReached = true;
    return this.decide(KEY_NO);
  }

  private decide(verdict: KeyVerdict): KeyVerdict {
    this.verdict = verdict;
    return verdict;
  }
}
