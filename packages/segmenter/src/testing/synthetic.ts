/**
 * Whole synthetic transport streams for unit tests: PAT/PMT, a video track (H.264 or HEVC) with
 * a key frame every `keyEvery` frames, optionally an AAC track; PSI repeated every `psiEvery` frames.
 */
import {
  adtsFrame,
  AUDIO_PID,
  h264AccessUnit,
  hevcAccessUnit,
  packetize,
  pat,
  pes,
  pmt,
  PMT_PID,
  STREAM_TYPE,
  VIDEO_PID,
  concat,
  type PmtStreamFields,
} from './builders.js';
import { TIMESTAMP_MODULUS } from '../ts/timestamp.js';

export interface SyntheticOptions {
  readonly codec?: 'h264' | 'hevc' | 'none';
  readonly frames?: number;
  /** Ticks per video frame (3600 = 25 fps). */
  readonly frameTicks?: number;
  readonly keyEvery?: number;
  readonly startPts?: number;
  readonly audio?: boolean;
  readonly psiEvery?: number;
  readonly frameBytes?: number;
  /** Frames (by index) that are key frames, overriding keyEvery. */
  readonly keyFrames?: ReadonlySet<number>;
  readonly videoPid?: number;
  readonly pmtVersion?: number;
  /** Leave the PMT out (a stream that cannot be cut). */
  readonly noPmt?: boolean;
}

export interface SyntheticStream {
  readonly bytes: Uint8Array;
  /** Unwrapped PTS of every key frame. */
  readonly keyPts: readonly number[];
  readonly packets: number;
}

export function synthetic(options: SyntheticOptions = {}): SyntheticStream {
  const codec = options.codec ?? 'h264';
  const frames = options.frames ?? 250;
  const frameTicks = options.frameTicks ?? 3600;
  const keyEvery = options.keyEvery ?? 25;
  const startPts = options.startPts ?? 126_000;
  const psiEvery = options.psiEvery ?? 10;
  const streams: PmtStreamFields[] = [];
  const videoPid = options.videoPid ?? VIDEO_PID;
  if (codec !== 'none') streams.push({ type: codec === 'h264' ? STREAM_TYPE.H264 : STREAM_TYPE.HEVC, pid: videoPid });
  if (options.audio === true || codec === 'none') streams.push({ type: STREAM_TYPE.AAC_ADTS, pid: AUDIO_PID });
  const cc = new Map<number, number>();
  const out: Uint8Array[] = [];
  const keyPts: number[] = [];
  const emit = (pid: number, packets: Uint8Array[] | Uint8Array): void => {
    const list = Array.isArray(packets) ? packets : splitPackets(packets);
    for (const p of list) {
      const next = cc.get(pid) ?? 0;
      p[3] = (p[3] & 0xf0) | (next & 0x0f);
      cc.set(pid, next + 1);
      out.push(p);
    }
  };
  for (let i = 0; i < frames; i++) {
    if (i % psiEvery === 0) {
      emit(0, pat(PMT_PID));
      if (options.noPmt !== true) emit(PMT_PID, pmt(streams, PMT_PID, 0, options.pmtVersion ?? 0));
    }
    const pts = startPts + i * frameTicks;
    const key = options.keyFrames?.has(i) ?? i % keyEvery === 0;
    if (codec !== 'none') {
      if (key) keyPts.push(pts);
      const au = codec === 'h264' ? h264AccessUnit(key, options.frameBytes) : hevcAccessUnit(key, options.frameBytes);
      emit(videoPid, packetize(videoPid, pes(0xe0, au, pts % TIMESTAMP_MODULUS)));
    }
    if (options.audio === true || codec === 'none') {
      // One ADTS frame of 1024 samples at 48 kHz is 1920 ticks; one PES per video frame slot.
      const frameCount = Math.max(1, Math.round(frameTicks / 1920));
      const aac = concat(Array.from({ length: frameCount }, () => adtsFrame(180)));
      if (codec === 'none') keyPts.push(pts);
      emit(AUDIO_PID, packetize(AUDIO_PID, pes(0xc0, aac, pts % TIMESTAMP_MODULUS)));
    }
  }
  return { bytes: concat(out), keyPts, packets: out.length };
}

function splitPackets(bytes: Uint8Array): Uint8Array[] {
  const list: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 188) list.push(bytes.slice(i, i + 188));
  return list;
}

/** Rewrites continuity counters so they run on per PID (for streams glued together in tests). */
export function renumberContinuity(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const next = new Map<number, number>();
  for (let p = 0; p + 188 <= out.length; p += 188) {
    const pid = ((out[p + 1] & 0x1f) << 8) | out[p + 2];
    if ((out[p + 3] & 0x10) === 0) continue;
    const cc = next.get(pid) ?? 0;
    out[p + 3] = (out[p + 3] & 0xf0) | (cc & 0x0f);
    next.set(pid, cc + 1);
  }
  return out;
}
