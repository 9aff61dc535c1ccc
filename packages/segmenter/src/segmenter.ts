/**
 * The push/flush segmenter: TS bytes in (chunks of any size), complete segments out.
 * The hot loop reads three header bytes per packet and a PID role table; everything rarer
 * (PSI, the cut track's PES starts, resync) leaves the loop through a method call.
 */
import { AudioPesGrouper } from './audio-pes.js';
import { Chunker, type SegmentTiming } from './chunker.js';
import { CutTrackReader, UNIT_DECIDED, UNIT_STARTED, type UnitEnd } from './cut-track.js';
import { SegmenterError, type SegmenterErrorCode } from './errors.js';
import { IssueCounter } from './issues.js';
import { ProgramTracker, PSI_PMT_CHANGED, PSI_PMT_PID_CHANGED } from './program.js';
import { toSegment, type Segment, type SegmenterOptions, type SegmenterStats } from './segment.js';
import { findSync, PACKET_SIZE, payloadOffset, PID_COUNT, PID_NULL, PID_PAT, SYNC_BYTE, SYNC_CONFIRMATIONS, undecidedFrom } from './ts/packet.js';
import { TimestampUnwrapper } from './ts/timestamp.js';
import { SegmentWriter, type SegmentBytes } from './writer.js';

const ROLE_NONE = 0;
const ROLE_PSI = 1;
const ROLE_CUT = 2;
/** Bytes of a new chunk joined to the carried tail: enough to confirm a sync point. */
const JOIN_BYTES = PACKET_SIZE * (SYNC_CONFIRMATIONS + 1);
const DEFAULT_MAX_SEGMENT_BYTES = 512 * 1024 * 1024;

export class Segmenter {
  private readonly roles = new Uint8Array(PID_COUNT);
  private readonly lastCc = new Int8Array(PID_COUNT).fill(-1);
  private readonly program = new ProgramTracker((code, details) => this.report(code, details));
  private readonly chunker;
  private readonly writer = new SegmentWriter();
  private readonly unwrapper = new TimestampUnwrapper();
  private readonly maxSegmentBytes: number;
  private readonly audio: AudioPesGrouper | undefined;
  private track: CutTrackReader | undefined;
  private routedPmtPid = -1;
  /** Unwrapped PTS of the unit not yet given to the chunker, NaN when none. */
  private pendingPts = Number.NaN;
  private carry: Uint8Array | undefined;
  private synced = false;
  private closed = false;
  private firstSegment = true;
  private runBuf: Uint8Array = new Uint8Array(0);
  private runStart = 0;
  private out: Segment[] = [];
  private bytesIn = 0;
  private packets = 0;
  private bytesSkipped = 0;
  private segments = 0;
  private readonly issues: IssueCounter;

  constructor(private readonly options: SegmenterOptions) {
    if (typeof options.boundaryPts !== 'function') throw new SegmenterError('INVALID_OPTIONS', 'boundaryPts must be a function');
    const maxBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    if (!(maxBytes > 0)) throw new SegmenterError('INVALID_OPTIONS', 'maxSegmentBytes must be positive');
    this.maxSegmentBytes = maxBytes;
    this.audio = options.audioPesBytes === undefined ? undefined : new AudioPesGrouper(options.audioPesBytes);
    this.issues = new IssueCounter(options.logger);
    this.roles[PID_PAT] = ROLE_PSI;
    this.chunker = new Chunker({
      boundaryPts: options.boundaryPts,
      origin: options.origin ?? 'absolute',
      ...(options.startToleranceTicks === undefined ? {} : { startToleranceTicks: options.startToleranceTicks }),
      ...(options.frameDurationTicks === undefined ? {} : { frameDurationTicks: options.frameDurationTicks }),
    });
  }

  get stats(): SegmenterStats {
    const { bytesIn, packets, bytesSkipped, segments } = this;
    return { bytesIn, packets, bytesSkipped, segments, issues: this.issues.snapshot() };
  }

  /**
   * Takes the next bytes of the stream; returns the segments they completed. The segments keep
   * views of `chunk`: do not reuse or modify a pushed buffer.
   */
  push(chunk: Uint8Array): Segment[] {
    this.assertOpen();
    this.bytesIn += chunk.length;
    let from = 0;
    if (this.carry !== undefined) {
      from = this.joinCarry(chunk);
      if (from < 0) return this.takeOutput();
    }
    const rest = this.scan(chunk, from, chunk.length, chunk.length, false);
    if (rest < chunk.length) this.carry = chunk.slice(rest);
    this.limitSegmentSize();
    return this.takeOutput();
  }

  /** Ends the stream: completes the last segment. */
  flush(): Segment[] {
    this.assertOpen();
    this.closed = true;
    const tail = this.carry;
    this.carry = undefined;
    if (tail !== undefined) {
      const rest = this.scan(tail, 0, tail.length, tail.length, true);
      if (rest < tail.length) this.report('TRUNCATED_PACKET', { bytes: tail.length - rest });
    }
    if (!Number.isNaN(this.pendingPts) && this.track !== undefined) this.endUnit(this.track.finishUnit());
    if (!this.program.hasProgram && this.bytesIn > 0) this.report('PMT_MISSING', { packets: this.packets });
    if (this.writer.byteLength > 0) this.emit(this.chunker.finish(), this.writer.cutHere(undefined));
    return this.takeOutput();
  }

  /** Processes packets that begin in the carried tail; returns where to go on in `chunk` (-1: all carried). */
  private joinCarry(chunk: Uint8Array): number {
    const carry = this.carry!;
    const start = chunk.subarray(0, Math.min(chunk.length, JOIN_BYTES));
    const joined = new Uint8Array(carry.length + start.length);
    joined.set(carry);
    joined.set(start, carry.length);
    this.carry = undefined;
    const stop = this.scan(joined, 0, carry.length, joined.length, false);
    if (stop >= carry.length) return stop - carry.length;
    // Too few bytes to get past the carried tail (a tiny chunk): keep them all for the next push.
    const kept = new Uint8Array(joined.length - stop + chunk.length - start.length);
    kept.set(joined.subarray(stop));
    kept.set(chunk.subarray(start.length), joined.length - stop);
    this.carry = kept;
    return -1;
  }

  /** Handles the packets starting in buf[from, stopAt) that fit before `end`; returns where it stopped. */
  private scan(buf: Uint8Array, from: number, stopAt: number, end: number, atEnd: boolean): number {
    const roles = this.roles;
    const lastCc = this.lastCc;
    let p = from;
    let packets = 0;
    this.runBuf = buf;
    this.runStart = from;
    // A packet is taken when the next one's sync byte is in view too (or the input has ended).
    const last = atEnd ? end - PACKET_SIZE : end - PACKET_SIZE - 1;
    while (p < stopAt && p <= last) {
      if (!this.synced || buf[p] !== SYNC_BYTE || (p + PACKET_SIZE < end && buf[p + PACKET_SIZE] !== SYNC_BYTE)) {
        const next = this.resync(buf, p, end, atEnd);
        if (next < 0) {
          this.packets += packets;
          return undecidedFrom(next);
        }
        if (next !== p) {
          p = next;
          continue;
        }
      }
      const pid = ((buf[p + 1] & 0x1f) << 8) | buf[p + 2];
      const b3 = buf[p + 3];
      if ((b3 & 0x10) !== 0 && pid !== PID_NULL) {
        const cc = b3 & 0x0f;
        const last = lastCc[pid];
        if (last !== cc && last >= 0 && ((last + 1) & 0x0f) !== cc) this.onContinuityError(buf, p, pid);
        lastCc[pid] = cc;
      }
      if (roles[pid] !== ROLE_NONE) this.onRolePacket(buf, p, pid, roles[pid]);
      p += PACKET_SIZE;
      packets++;
    }
    this.packets += packets;
    this.writer.append(buf, this.runStart, p);
    return p;
  }

  /**
   * Finds where the next packet starts: `p` itself when it is a packet, else the next confirmed
   * sync point, or findSync's "undecided" code when more bytes are needed to tell.
   */
  private resync(buf: Uint8Array, p: number, end: number, atEnd: boolean): number {
    this.writer.append(buf, this.runStart, p);
    this.runStart = p;
    if (this.synced && buf[p] === SYNC_BYTE) {
      // In step but not followed by a sync byte: a packet before garbage, unless garbage
      // starting with 0x47 is hiding a real sync chain that begins inside it.
      const limit = Math.min(end, p + PACKET_SIZE * (SYNC_CONFIRMATIONS + 1));
      const inside = findSync(buf, p + 1, limit, atEnd && limit === end);
      const chainAt = inside >= 0 ? inside : undecidedFrom(inside);
      if (chainAt >= p + PACKET_SIZE) return p;
      if (inside < 0) return -1 - p;
    }
    const found = findSync(buf, p, end, atEnd);
    const next = found >= 0 ? found : undecidedFrom(found);
    if (next > p) {
      this.bytesSkipped += next - p;
      this.report('SYNC_LOST', { offset: this.bytesIn, skipped: next - p });
    }
    this.runStart = next;
    this.synced = found >= 0;
    return found;
  }

  private onRolePacket(buf: Uint8Array, p: number, pid: number, role: number): void {
    if ((buf[p + 1] & 0x80) !== 0) return; // transport_error_indicator: do not parse a damaged packet
    const start = payloadOffset(buf, p);
    if (start < 0) {
      this.report('ADAPTATION_FIELD_INVALID', { pid });
      this.resetPid(pid);
      return;
    }
    const unitStart = (buf[p + 1] & 0x40) !== 0;
    if (role === ROLE_PSI) this.onPsiPacket(buf, p, pid, start, unitStart);
    else this.onCutPacket(buf, p, start, unitStart);
  }

  private onPsiPacket(buf: Uint8Array, p: number, pid: number, start: number, unitStart: boolean): void {
    const change = this.program.onPacket(pid, buf, start, p + PACKET_SIZE, unitStart, buf[p + 3] & 0x0f);
    if (change === PSI_PMT_PID_CHANGED) this.routePmt();
    if (change === PSI_PMT_CHANGED) this.routeCutTrack();
    if (this.firstSegment && !this.writer.hasHeader && this.program.hasProgram) {
      this.writer.setHeader(this.program.header(true));
    }
  }

  private onCutPacket(buf: Uint8Array, p: number, start: number, unitStart: boolean): void {
    const track = this.track!;
    if (unitStart && !Number.isNaN(this.pendingPts)) this.endUnit(track.finishUnit());
    const flags = track.onPacket(buf, start, p + PACKET_SIZE, unitStart);
    if ((flags & UNIT_STARTED) !== 0) this.startUnit(p, track.pts);
    if ((flags & UNIT_DECIDED) !== 0 && !Number.isNaN(this.pendingPts)) this.endUnit({ key: track.key, durationTicks: undefined });
  }

  /** A unit of the cut track starts in the packet at `p`: mark it if the segment may start there. */
  private startUnit(p: number, rawPts: number): void {
    const pts = this.unwrapper.unwrap(rawPts);
    this.pendingPts = pts;
    if (!this.chunker.wouldCutAt(pts)) return;
    this.writer.append(this.runBuf, this.runStart, p);
    this.runStart = p;
    this.writer.mark(this.program.header(false));
  }

  /** The pending unit's verdict is known: the chunker decides whether a segment starts with it. */
  private endUnit(end: UnitEnd): void {
    const pts = this.pendingPts;
    this.pendingPts = Number.NaN;
    const durationTicks = end.durationTicks;
    const closed = this.chunker.push(durationTicks === undefined ? { pts, key: end.key } : { pts, key: end.key, durationTicks });
    if (closed !== undefined && this.writer.marked) this.emit(closed, this.writer.cutAtMark());
    else this.writer.unmark();
  }

  private routePmt(): void {
    if (this.routedPmtPid >= 0) this.roles[this.routedPmtPid] = ROLE_NONE;
    this.routedPmtPid = this.program.pmtPid;
    if (this.track !== undefined && this.track.pid === this.routedPmtPid) this.dropTrack();
    if (this.routedPmtPid !== PID_PAT) this.roles[this.routedPmtPid] = ROLE_PSI;
  }

  private routeCutTrack(): void {
    this.dropTrack();
    const choice = this.program.cutTrack;
    if (choice === undefined || this.roles[choice.pid] === ROLE_PSI || choice.pid === PID_NULL) return;
    this.track = new CutTrackReader(choice.pid, choice.codec, (code, details) => this.report(code, details), this.options.nalScanLimit);
    this.roles[choice.pid] = ROLE_CUT;
  }

  private dropTrack(): void {
    if (this.track === undefined) return;
    if (!Number.isNaN(this.pendingPts)) this.endUnit({ key: false, durationTicks: undefined });
    this.roles[this.track.pid] = ROLE_NONE;
    this.track = undefined;
  }

  private onContinuityError(buf: Uint8Array, p: number, pid: number): void {
    // discontinuity_indicator: the gap is announced, not an error.
    if ((buf[p + 3] & 0x20) !== 0 && buf[p + 4] > 0 && (buf[p + 5] & 0x80) !== 0) return;
    this.report('CONTINUITY_ERROR', { pid, offset: this.bytesIn });
    this.resetPid(pid);
  }

  /** Errors reset one PID: the unit or section in progress on it is dropped, nothing else. */
  private resetPid(pid: number): void {
    if (this.roles[pid] === ROLE_PSI) this.program.resetPid(pid);
    if (this.roles[pid] !== ROLE_CUT || this.track === undefined) return;
    if (!Number.isNaN(this.pendingPts)) this.endUnit(this.track.finishUnit());
    this.track.reset();
  }

  /** Bounded memory whatever the input: a segment that outgrows the limit is cut where it is. */
  private limitSegmentSize(): void {
    if (this.writer.byteLength <= this.maxSegmentBytes || this.writer.marked) return;
    this.report('SEGMENT_TOO_LARGE', { bytes: this.writer.byteLength });
    this.emit(this.chunker.forceCut(), this.writer.cutHere(this.program.header(false)));
  }

  private emit(timing: SegmentTiming, bytes: SegmentBytes): void {
    const segment = toSegment(timing, bytes);
    this.out.push(this.audio === undefined ? segment : this.audio.group(segment));
    this.segments++;
    this.firstSegment = false;
  }

  private report(code: SegmenterErrorCode, details: Record<string, unknown>): void {
    this.issues.report(code, details);
  }

  private takeOutput(): Segment[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new SegmenterError('SEGMENTER_CLOSED');
  }
}
