/** The shapes ingest passes around: limits, what the trial runs measured, and the verdict. */
import type { AudioFacts, Size, VideoFacts } from '@kiln/shared';
import type { RefusalCode } from './errors.js';

export interface IngestLimits {
  /** Longest accepted duration in seconds. */
  readonly maxDurationSeconds: number;
  /** Most coded pixels (width × height) accepted; 4096×2304 takes every 4K/UHD frame, portrait too. */
  readonly maxPixels: number;
}

export const DEFAULT_LIMITS: IngestLimits = Object.freeze({
  maxDurationSeconds: 4 * 60 * 60,
  maxPixels: 4096 * 2304,
});

/** What a demux of the whole file (no decode) saw of one stream. */
export interface StreamScan {
  readonly packets: number;
  /** Packets with a PTS or at least a DTS. */
  readonly timedPackets: number;
  /** Earliest timestamp, latest timestamp, and latest timestamp + duration, in seconds. */
  readonly start: number;
  readonly last: number;
  readonly end: number;
  /** Packets that carried no timestamp at all (AVI B-frames, raw elementary streams). */
  readonly untimed: number;
}

/** What the short trial decode produced for the chosen streams. */
export interface TrialDecode {
  readonly videoFrames: number;
  readonly audioFrames: number;
  /** Lines ffmpeg printed at `-v error`. */
  readonly errorLines: number;
  /** The first error lines, for messages and logs. */
  readonly errors: readonly string[];
  readonly decoderMissing: boolean;
}

/** Facts measured by running tools; classify() works without them but then cannot judge damage. */
export interface MeasuredFacts {
  readonly scan: ReadonlyMap<number, StreamScan>;
  readonly trial: TrialDecode;
  /** For MP4/MOV: the fast-start view's complaint (a SourceErrors code), if any. */
  readonly mp4Problem?: string;
  readonly fragmentedMp4?: boolean;
}

export type NormalizeAction =
  | { readonly kind: 'none' }
  /** Video copied as it is; audio copied, made AAC, or absent. */
  | { readonly kind: 'remux'; readonly audio: 'copy' | 'aac' | 'none'; readonly reason: string }
  | { readonly kind: 'mezzanine'; readonly reason: string };

/** The source's video facts (`@kiln/shared`), with the size a viewer sees (rotation and pixel aspect applied). */
export interface IngestVideo extends VideoFacts {
  readonly display: Size;
}

export type IngestAudio = AudioFacts;

export interface IngestPlan {
  readonly kind: 'video' | 'audio-only';
  /** ffprobe's format name, e.g. `matroska,webm`. */
  readonly container: string;
  readonly durationSeconds: number;
  readonly video?: IngestVideo;
  readonly audio?: IngestAudio;
  readonly normalize: NormalizeAction;
  /** Decisions a person may want to know about (the track chosen, a corrected duration…). */
  readonly notes: readonly string[];
}

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

export type Verdict =
  | { readonly outcome: 'accepted'; readonly plan: IngestPlan }
  | { readonly outcome: 'refused'; readonly refusal: Refusal };
