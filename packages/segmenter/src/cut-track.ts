/**
 * Reads the PES packets of the cut track and turns them into access-unit events: a unit starts
 * (with its PTS), and later its key verdict is known (first slice for video, end of the unit
 * for AAC, whose units are all key). One PES is one access unit, as ffmpeg writes video.
 */
import { AccessUnitKeyScanner, DEFAULT_SCAN_LIMIT, KEY_NO, KEY_UNDECIDED, KEY_YES } from './es/annexb.js';
import { AdtsFrameCounter } from './es/aac.js';
import { classifyH264Nal } from './es/h264.js';
import { classifyHevcNal } from './es/hevc.js';
import type { SegmenterErrorCode } from './errors.js';
import type { IssueReporter } from './program.js';
import type { ParseResult } from './parse-result.js';
import { parsePesHeader, PES_MAX_HEADER, type PesHeader } from './ts/pes.js';
import type { CutCodec } from './ts/pmt.js';

export const UNIT_STARTED = 1;
export const UNIT_DECIDED = 2;

const IDLE = 0;
const HEADER = 1;
const BODY = 2;

export interface UnitEnd {
  readonly key: boolean;
  readonly durationTicks: number | undefined;
}

export class CutTrackReader {
  /** Raw 33-bit PTS of the current unit. */
  pts = -1;
  /** Key verdict of the current unit, valid once UNIT_DECIDED was returned. */
  key = false;
  private state = IDLE;
  private readonly header = new Uint8Array(PES_MAX_HEADER);
  private headerFill = 0;
  private readonly scanner: AccessUnitKeyScanner | undefined;
  private readonly adts: AdtsFrameCounter | undefined;

  constructor(
    readonly pid: number,
    readonly codec: CutCodec,
    private readonly report: IssueReporter,
    scanLimit = DEFAULT_SCAN_LIMIT,
  ) {
    if (codec === 'aac') this.adts = new AdtsFrameCounter();
    else this.scanner = new AccessUnitKeyScanner(codec === 'h264' ? classifyH264Nal : classifyHevcNal, scanLimit);
  }

  get inUnit(): boolean {
    return this.state === BODY;
  }

  /** Forgets the unit in progress (continuity error, malformed PES): wait for the next PES. */
  reset(): void {
    this.state = IDLE;
    this.headerFill = 0;
  }

  /** The current unit ends (next PES, end of input): its verdict if it had none, and its duration. */
  finishUnit(): UnitEnd {
    if (this.adts !== undefined) {
      if (this.adts.invalid) this.report('ADTS_INVALID', { pid: this.pid, pts: this.pts });
      return { key: true, durationTicks: this.adts.samples > 0 ? this.adts.durationTicks : undefined };
    }
    return { key: this.scanner!.decided && this.key, durationTicks: undefined };
  }

  /** Feeds one packet's payload [start, end); returns UNIT_* flags. */
  onPacket(buf: Uint8Array, start: number, end: number, unitStart: boolean): number {
    if (unitStart) {
      this.state = HEADER;
      this.headerFill = 0;
      return this.readHeader(buf, start, end);
    }
    if (this.state === HEADER) return this.readHeader(buf, start, end);
    if (this.state === BODY) return this.readBody(buf, start, end);
    return 0;
  }

  private readHeader(buf: Uint8Array, start: number, end: number): number {
    // Usually the header is whole in the first packet: parse it in place, copy only when split.
    if (this.headerFill === 0) {
      const parsed = parsePesHeader(buf, start, end);
      if (parsed.kind !== 'need-more-data') return this.startUnit(parsed, buf, start, end);
    }
    const copiedBefore = this.headerFill;
    const take = Math.min(end - start, PES_MAX_HEADER - copiedBefore);
    this.header.set(buf.subarray(start, start + take), copiedBefore);
    this.headerFill += take;
    const parsed = parsePesHeader(this.header, 0, this.headerFill);
    if (parsed.kind === 'need-more-data') {
      return this.headerFill < PES_MAX_HEADER ? 0 : this.fail('PES_INVALID', 'PES header longer than possible');
    }
    // Header bytes copied from earlier packets come before this packet's payload.
    return this.startUnit(parsed, buf, start - copiedBefore, end);
  }

  /** `headerAt` is where the PES header would begin in `buf` (before `start` when it was split). */
  private startUnit(parsed: ParseResult<PesHeader>, buf: Uint8Array, headerAt: number, end: number): number {
    if (parsed.kind === 'need-more-data') return 0;
    if (parsed.kind === 'invalid') return this.fail(parsed.code, parsed.reason);
    if (parsed.value.pts < 0) return this.fail('PTS_MISSING', 'PES without PTS on the cut track');
    this.pts = parsed.value.pts;
    this.key = false;
    this.state = BODY;
    this.headerFill = 0;
    this.scanner?.reset();
    this.adts?.reset();
    return UNIT_STARTED | this.readBody(buf, headerAt + parsed.value.headerLength, end);
  }

  private readBody(buf: Uint8Array, start: number, end: number): number {
    if (this.adts !== undefined) {
      this.adts.feed(buf, start, end);
      return 0;
    }
    const scanner = this.scanner!;
    if (scanner.decided || start >= end) return 0;
    const verdict = scanner.feed(buf, start, end);
    if (verdict === KEY_UNDECIDED) return 0;
    if (scanner.limitReached) this.report('NAL_SCAN_LIMIT', { pid: this.pid, pts: this.pts });
    this.key = verdict === KEY_YES;
    return verdict === KEY_YES || verdict === KEY_NO ? UNIT_DECIDED : 0;
  }

  private fail(code: SegmenterErrorCode, reason: string): number {
    this.report(code, { pid: this.pid, reason });
    this.reset();
    return 0;
  }
}
