import { SharedErrors } from '../errors.js';

/**
 * Device profiles (docs/architecture.md "Device profiles and the ladder"): each fixes the H.264 profile and
 * level, the largest rung and the audio bitrate, so the oldest phones still get a stream they decode.
 */
import { z } from 'zod';

export const PROFILE_NAMES = ['legacy', 'mobile', 'desktop'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** For request and token schemas: accepts exactly the profile names. */
export const profileNameSchema = z.enum(PROFILE_NAMES);

/** Limits of an H.264 level (ITU-T H.264 Table A-1), in macroblocks of 16×16 pixels. */
export interface H264Level {
  /** As ffmpeg's `-level:v` takes it. */
  readonly name: '3.0' | '3.1' | '4.0';
  /** level_idc in the SPS: ten times the level. */
  readonly idc: number;
  readonly maxMacroblocksPerSecond: number;
  readonly maxFrameMacroblocks: number;
  /** MaxBR for Baseline/Main in bit/s; High may go 25 % above (Table A-1, cpbBrVclFactor). */
  readonly maxBitrate: number;
}

export const H264_LEVELS = {
  '3.0': { name: '3.0', idc: 30, maxMacroblocksPerSecond: 40_500, maxFrameMacroblocks: 1_620, maxBitrate: 10_000_000 },
  '3.1': { name: '3.1', idc: 31, maxMacroblocksPerSecond: 108_000, maxFrameMacroblocks: 3_600, maxBitrate: 14_000_000 },
  '4.0': { name: '4.0', idc: 40, maxMacroblocksPerSecond: 245_760, maxFrameMacroblocks: 8_192, maxBitrate: 20_000_000 },
} as const satisfies Record<string, H264Level>;

export interface H264Settings {
  /** As ffmpeg's `-profile:v` takes it. */
  readonly profile: 'baseline' | 'main' | 'high';
  /** profile_idc in the SPS: 66 Baseline, 77 Main, 100 High. */
  readonly profileIdc: number;
  /**
   * The SPS byte after profile_idc (constraint_set0…5 flags) exactly as x264 writes it, because
   * RFC 6381 3.3 makes the CODECS string those SPS bytes: Constrained Baseline is set0+set1 (0xC0,
   * `avc1.42c01e`; Apple's examples say `42e01e`, which adds set2, Extended conformance, that x264
   * never signals), Main set1 (0x40), High none. real-encodes.test.ts reads the SPS to keep this true.
   */
  readonly constraintFlags: number;
  readonly level: H264Level;
  /** Reference frames (`-refs`). */
  readonly refs: number;
  /** Consecutive B-frames (`-bf`); Baseline has none. */
  readonly bFrames: number;
}

export interface DeviceProfile {
  readonly name: ProfileName;
  readonly h264: H264Settings;
  /** The largest rung, as the short side of the picture ("480p" → 480). */
  readonly maxShortSide: number;
  /** AAC-LC stereo bitrate, bit/s. */
  readonly audioBitrate: number;
}

export const DEVICE_PROFILES: Readonly<Record<ProfileName, DeviceProfile>> = Object.freeze({
  legacy: {
    name: 'legacy',
    h264: { profile: 'baseline', profileIdc: 66, constraintFlags: 0xc0, level: H264_LEVELS['3.0'], refs: 1, bFrames: 0 },
    maxShortSide: 480,
    audioBitrate: 64_000,
  },
  mobile: {
    name: 'mobile',
    h264: { profile: 'main', profileIdc: 77, constraintFlags: 0x40, level: H264_LEVELS['3.1'], refs: 3, bFrames: 3 },
    maxShortSide: 720,
    audioBitrate: 128_000,
  },
  desktop: {
    name: 'desktop',
    h264: { profile: 'high', profileIdc: 100, constraintFlags: 0x00, level: H264_LEVELS['4.0'], refs: 4, bFrames: 3 },
    maxShortSide: 1080,
    audioBitrate: 128_000,
  },
});

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

/** The profile called `name`; anything else (other case, spaces, unknown) is refused. */
export function parseProfile(name: unknown): ProfileName {
  if (isProfileName(name)) return name;
  throw SharedErrors.create('PROFILE_UNKNOWN', `unknown device profile ${JSON.stringify(name)}; expected one of ${PROFILE_NAMES.join(', ')}`, {
    details: { expected: PROFILE_NAMES },
  });
}

export function deviceProfile(name: ProfileName): DeviceProfile {
  return DEVICE_PROFILES[name];
}
