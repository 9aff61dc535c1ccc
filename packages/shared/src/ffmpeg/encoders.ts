import { SharedErrors } from '../errors.js';
import { runFfmpeg } from './run.js';

/** What every Kiln transcode needs from the local ffmpeg build. */
export const REQUIRED_ENCODERS = ['libx264', 'aac'] as const;

/** Encoder names from `ffmpeg -encoders` output (lines like " V....D libx264   libx264 H.264 …"). */
export function parseEncoderList(output: string): Set<string> {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /^\s*[VAS][F.][S.][X.][B.][D.]\s+(\S+)/.exec(line);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/** Checked at start: a worker whose ffmpeg cannot encode H.264/AAC must refuse to start, not fail every job. */
export async function assertEncodersAvailable(required: readonly string[] = REQUIRED_ENCODERS): Promise<void> {
  const { stdout } = await runFfmpeg(['-hide_banner', '-encoders']);
  const available = parseEncoderList(stdout.toString('utf8'));
  const missing = required.filter((name) => !available.has(name));
  if (missing.length > 0) {
    throw SharedErrors.create('FFMPEG_NOT_FOUND', `ffmpeg lacks the encoders ${missing.join(', ')}`, { details: { missing } });
  }
}

/** The x264 presets Kiln accepts, fastest first: each later one spends more CPU per frame for a better picture at the same bitrate. */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];
/** On-demand transcodes' preset unless `KILN_WORKER_PRESET` says otherwise: fast enough for one core to run a 1080p→720p encode ahead of real time. */
export const DEFAULT_X264_PRESET: X264Preset = 'veryfast';

/** The preset one step faster than `preset` (`ultrafast` has none faster). */
export function fasterPreset(preset: X264Preset): X264Preset {
  return X264_PRESETS[Math.max(0, X264_PRESETS.indexOf(preset) - 1)] ?? preset;
}
