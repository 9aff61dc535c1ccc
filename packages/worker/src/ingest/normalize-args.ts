/**
 * ffmpeg arguments that turn an accepted upload into the MP4 workers read. Pure.
 * - remux: streams copied (`-c copy`), audio made AAC only where MP4 cannot carry it;
 * - mezzanine: libx264 CRF 16 (visually lossless; the worker encodes again from it), AAC 192k
 *   stereo, deinterlaced, CFR at the plan's rate, even-sized, rotation applied by ffmpeg's
 *   autorotate (so the mezzanine is upright and carries no display matrix), 10-bit kept as
 *   High 10 (the worker's one conversion to 8-bit SDR then starts from the original samples).
 * Both write a fast-start MP4 and drop subtitles, data tracks and chapters.
 */
import { inputArgs } from './probe-args.js';
import type { IngestPlan } from './types.js';

export interface MezzanineOptions {
  /** x264 preset: veryfast in production; tests may ask for ultrafast. */
  readonly preset?: string;
  readonly crf?: number;
  /** Encode only the first seconds (tests); undefined encodes everything. */
  readonly maxSeconds?: number;
}

export const MEZZANINE_DEFAULTS = { preset: 'veryfast', crf: 16, audioBitrate: '192k' } as const;

function streamMaps(plan: IngestPlan): string[] {
  return [plan.video?.index, plan.audio?.index].flatMap((index) => (index === undefined ? [] : ['-map', `0:${index}`]));
}

const outputArgs = (path: string): string[] => ['-sn', '-dn', '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', '-y', path];

const aacArgs = (): string[] => ['-c:a', 'aac', '-b:a', MEZZANINE_DEFAULTS.audioBitrate, '-ac', '2'];

export function remuxArgs(input: string, plan: IngestPlan, output: string): string[] {
  const action = plan.normalize;
  const audio = action.kind === 'remux' ? action.audio : 'copy';
  const video = plan.video === undefined ? ['-vn'] : ['-c:v', 'copy', ...(plan.video.codec === 'hevc' ? ['-tag:v', 'hvc1'] : [])];
  const sound = plan.audio === undefined || audio === 'none' ? ['-an'] : audio === 'aac' ? aacArgs() : ['-c:a', 'copy'];
  return ['-nostdin', '-v', 'error', ...inputArgs(input), ...streamMaps(plan), ...video, ...sound, ...outputArgs(output)];
}

/** The filter chain before the encoder: deinterlace, constant rate, even size. */
export function mezzanineFilter(plan: IngestPlan): string {
  const video = plan.video;
  if (video === undefined) throw new Error('a mezzanine needs a video stream');
  const rate = `${video.frameRate.num}/${video.frameRate.den}`;
  return [
    ...(video.interlaced ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : []),
    // eof_action=pass keeps a last frame the rounding would drop (a one-frame clip would end up empty).
    `fps=${rate}:eof_action=pass`,
    'scale=trunc(iw/2)*2:trunc(ih/2)*2',
  ].join(',');
}

export function mezzanineArgs(input: string, plan: IngestPlan, output: string, options: MezzanineOptions = {}): string[] {
  const pixelFormat = plan.video?.highBitDepth === true ? 'yuv420p10le' : 'yuv420p';
  return [
    '-nostdin', '-v', 'error', ...inputArgs(input), ...streamMaps(plan),
    '-vf', mezzanineFilter(plan),
    '-c:v', 'libx264', '-preset', options.preset ?? MEZZANINE_DEFAULTS.preset, '-crf', String(options.crf ?? MEZZANINE_DEFAULTS.crf),
    '-pix_fmt', pixelFormat,
    // A key frame on every whole second: segment boundaries are whole seconds, so a worker's seek lands on one.
    '-force_key_frames', 'expr:gte(t,n_forced)',
    ...(plan.audio === undefined ? ['-an'] : aacArgs()),
    ...(options.maxSeconds === undefined ? [] : ['-t', String(options.maxSeconds)]),
    ...outputArgs(output),
  ];
}
