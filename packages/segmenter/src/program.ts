/**
 * Program state from PSI: which PID carries the PMT, which track segments are cut on, and the
 * PAT/PMT sections that open every segment. Only PAT and PMT packets come here (they are rare).
 */
import type { SegmenterErrorCode } from './errors.js';
import { PID_PAT } from './ts/packet.js';
import { parsePat } from './ts/pat.js';
import { chooseCutTrack, parsePmt, type CutCodec } from './ts/pmt.js';
import { packetizeSection, SectionAssembler, sectionPacketCount } from './ts/section.js';

export type IssueReporter = (code: SegmenterErrorCode, details: Record<string, unknown>) => void;

export interface CutTrackChoice {
  readonly pid: number;
  readonly codec: CutCodec;
}

/** What a PSI packet changed, for the segmenter to re-route PIDs. */
export const PSI_NO_CHANGE = 0;
export const PSI_PMT_PID_CHANGED = 1;
export const PSI_PMT_CHANGED = 2;

export class ProgramTracker {
  pmtPid = -1;
  cutTrack: CutTrackChoice | undefined;
  private patSection: Uint8Array | undefined;
  private pmtSection: Uint8Array | undefined;
  private patVersion = -1;
  private pmtVersion = -1;
  private readonly patAssembler = new SectionAssembler();
  private readonly pmtAssembler = new SectionAssembler();
  /** Continuity counters of PAT/PMT packets: the last seen, and the first of the stream. */
  private lastCc = [-1, -1];
  private firstCc = [-1, -1];

  constructor(private readonly report: IssueReporter) {}

  get hasProgram(): boolean {
    return this.patSection !== undefined && this.pmtSection !== undefined;
  }

  /** Feeds a PAT or PMT packet's payload; returns one of the PSI_* change codes. */
  onPacket(pid: number, buf: Uint8Array, start: number, end: number, unitStart: boolean, cc: number): number {
    const slot = pid === PID_PAT ? 0 : 1;
    if (this.firstCc[slot] === -1) this.firstCc[slot] = cc;
    this.lastCc[slot] = cc;
    const assembler = slot === 0 ? this.patAssembler : this.pmtAssembler;
    let change = PSI_NO_CHANGE;
    for (const section of assembler.push(buf, start, end, unitStart)) {
      change = Math.max(change, slot === 0 ? this.onPat(section) : this.onPmt(section));
    }
    return change;
  }

  /** Drops a partial section after a continuity error on that PID. */
  resetPid(pid: number): void {
    (pid === PID_PAT ? this.patAssembler : this.pmtAssembler).reset();
  }

  /**
   * PAT then PMT packets for the start of a segment, numbered so that the next PAT/PMT packet of
   * the input follows on without a continuity gap. `fromFirst` is for the segment that opens the
   * stream, whose own PAT/PMT packets are already in it.
   */
  header(fromFirst: boolean): Uint8Array | undefined {
    if (this.patSection === undefined || this.pmtSection === undefined) return undefined;
    const pat = this.packetize(PID_PAT, this.patSection, fromFirst ? this.firstCc[0] - 1 : this.lastCc[0]);
    const pmt = this.packetize(this.pmtPid, this.pmtSection, fromFirst ? this.firstCc[1] - 1 : this.lastCc[1]);
    const out = new Uint8Array(pat.length + pmt.length);
    out.set(pat);
    out.set(pmt, pat.length);
    return out;
  }

  private packetize(pid: number, section: Uint8Array, lastCc: number): Uint8Array {
    const count = sectionPacketCount(section.length);
    return packetizeSection(pid, section, (lastCc - count + 1 + 32) & 0x0f);
  }

  private onPat(section: Uint8Array): number {
    const parsed = parsePat(section);
    if (parsed.kind !== 'ok') return this.invalid(parsed.kind === 'invalid' ? parsed.reason : 'PAT incomplete');
    const program = parsed.value.programs[0];
    if (program === undefined) return this.invalid('PAT lists no program');
    if (parsed.value.version === this.patVersion && program.pmtPid === this.pmtPid) return PSI_NO_CHANGE;
    this.patVersion = parsed.value.version;
    this.patSection = section;
    if (program.pmtPid === this.pmtPid) return PSI_NO_CHANGE;
    this.pmtPid = program.pmtPid;
    this.pmtSection = undefined;
    this.pmtVersion = -1;
    this.pmtAssembler.reset();
    this.lastCc[1] = -1;
    this.firstCc[1] = -1;
    return PSI_PMT_PID_CHANGED;
  }

  private onPmt(section: Uint8Array): number {
    const parsed = parsePmt(section);
    if (parsed.kind !== 'ok') return this.invalid(parsed.kind === 'invalid' ? parsed.reason : 'PMT incomplete');
    if (parsed.value.version === this.pmtVersion && this.pmtSection !== undefined) return PSI_NO_CHANGE;
    this.pmtVersion = parsed.value.version;
    this.pmtSection = section;
    const previous = this.cutTrack;
    this.cutTrack = chooseCutTrack(parsed.value);
    if (this.cutTrack === undefined) this.report('NO_CUT_TRACK', { pmtPid: this.pmtPid });
    const same = previous?.pid === this.cutTrack?.pid && previous?.codec === this.cutTrack?.codec;
    return same ? PSI_NO_CHANGE : PSI_PMT_CHANGED;
  }

  private invalid(reason: string): number {
    this.report('PSI_INVALID', { reason });
    return PSI_NO_CHANGE;
  }
}
