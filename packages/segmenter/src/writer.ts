/**
 * Builds segments from runs of input packets without copying them: a segment is its PAT/PMT
 * header followed by views (subarrays) of the input chunks, in input order.
 *
 * A mark remembers where a segment may start (a candidate access unit) while the cut decision
 * waits for the unit's key verdict; cutting at the mark splits the views there.
 */

export interface SegmentBytes {
  /** PAT/PMT packets put at the segment start (not from the input), or undefined if none known. */
  readonly header: Uint8Array | undefined;
  /** The input's packets, in order, as views of the pushed chunks. */
  readonly body: readonly Uint8Array[];
  readonly byteLength: number;
}

export class SegmentWriter {
  private header: Uint8Array | undefined;
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private markIndex = -1;
  private markBytes = 0;
  private markHeader: Uint8Array | undefined;

  /** Input bytes in the segment being built (header excluded). */
  get byteLength(): number {
    return this.bytes;
  }

  get hasHeader(): boolean {
    return this.header !== undefined;
  }

  get marked(): boolean {
    return this.markIndex >= 0;
  }

  /** Sets the header of the segment being built (the first one learns it late). */
  setHeader(header: Uint8Array | undefined): void {
    this.header = header;
  }

  /** Appends the packets buf[start, end) as one view. */
  append(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(buf.subarray(start, end));
    this.bytes += end - start;
  }

  /** Marks the current end as a possible segment start, with the header that segment would get. */
  mark(header: Uint8Array | undefined): void {
    this.markIndex = this.parts.length;
    this.markBytes = this.bytes;
    this.markHeader = header;
  }

  unmark(): void {
    this.markIndex = -1;
    this.markHeader = undefined;
  }

  /** Ends the segment at the mark; what came after the mark starts the next one. */
  cutAtMark(): SegmentBytes {
    const closed: SegmentBytes = { header: this.header, body: this.parts.slice(0, this.markIndex), byteLength: this.markBytes };
    this.parts = this.parts.slice(this.markIndex);
    this.bytes -= this.markBytes;
    this.header = this.markHeader;
    this.unmark();
    return closed;
  }

  /** Ends the segment here; the next one starts with `nextHeader`. */
  cutHere(nextHeader: Uint8Array | undefined): SegmentBytes {
    const closed: SegmentBytes = { header: this.header, body: this.parts, byteLength: this.bytes };
    this.parts = [];
    this.bytes = 0;
    this.header = nextHeader;
    this.unmark();
    return closed;
  }
}
