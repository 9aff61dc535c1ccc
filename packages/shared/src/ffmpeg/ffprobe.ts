import { z } from 'zod';
import { SharedErrors, isKilnError } from '../errors.js';
import { runFfprobe } from './run.js';
import { rational, type Rational } from '../schedule/rational.js';
import { whitelistArgs, type InputWhitelist } from './whitelists.js';

/** ffprobe prints numbers as strings and leaves out what it does not know: both become typed here. */
const numeric = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(parsed)) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${String(value)}` });
    return z.NEVER;
  }
  return parsed;
});
const optionalNumber = numeric.optional().catch(undefined);

/** ffprobe's frame rates ("30000/1001"); "0/0" means unknown and becomes undefined. */
export function probeFrameRate(text: string | undefined): Rational | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? rational(num, den) : undefined;
}

const sideDataSchema = z.looseObject({ side_data_type: z.string().optional(), rotation: optionalNumber });

const streamSchema = z.looseObject({
  index: z.number(),
  codec_type: z.string().default('unknown'),
  codec_name: z.string().optional(),
  codec_tag_string: z.string().optional(),
  profile: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  field_order: z.string().optional(),
  color_transfer: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  start_time: optionalNumber,
  duration: optionalNumber,
  bit_rate: optionalNumber,
  nb_frames: optionalNumber,
  channels: z.number().optional(),
  sample_rate: optionalNumber,
  disposition: z.looseObject({ default: z.number().optional(), attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(sideDataSchema).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .looseObject({
      format_name: z.string().default(''),
      duration: optionalNumber,
      size: optionalNumber,
      bit_rate: optionalNumber,
      nb_streams: z.number().optional(),
    })
    .optional(),
});

export type ProbeStream = z.infer<typeof streamSchema>;
export type ProbeResult = z.infer<typeof probeSchema>;

/**
 * What ffprobe may open: both lists are required, so no caller can forget the demuxer list (a
 * protocol list alone lets a playlist opened by path read other local files).
 */
export type ProbeInputOptions = InputWhitelist;

/** Arguments for a JSON probe of streams and format. */
export function ffprobeArgs(input: string, options: ProbeInputOptions): string[] {
  return ['-v', 'error', ...whitelistArgs(options), '-print_format', 'json', '-show_format', '-show_streams', input];
}

/** Parses ffprobe's JSON output into a typed result; anything unexpected is FFPROBE_FAILED. */
export function parseProbeOutput(json: string): ProbeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw SharedErrors.create('FFPROBE_FAILED', 'ffprobe printed something that is not JSON', { cause });
  }
  const parsed = probeSchema.safeParse(raw);
  if (!parsed.success) {
    throw SharedErrors.create('FFPROBE_FAILED', `unexpected ffprobe output: ${parsed.error.message}`);
  }
  return parsed.data;
}

export async function ffprobe(input: string, options: ProbeInputOptions & { signal?: AbortSignal }): Promise<ProbeResult> {
  try {
    const { stdout } = await runFfprobe(ffprobeArgs(input, options), options.signal === undefined ? {} : { signal: options.signal });
    return parseProbeOutput(stdout.toString('utf8'));
  } catch (error) {
    if (isKilnError(error) && error.code === 'FFMPEG_FAILED') {
      throw SharedErrors.create('FFPROBE_FAILED', error.message, { cause: error, details: error.details ?? {} });
    }
    throw error;
  }
}

/** Rotation in degrees as players apply it: the display matrix wins over the legacy `rotate` tag. */
export function streamRotation(stream: ProbeStream): number {
  const fromMatrix = stream.side_data_list?.find((side) => side.rotation !== undefined)?.rotation;
  const degrees = fromMatrix ?? Number(stream.tags?.rotate ?? 0);
  const normalized = ((Math.round(degrees) % 360) + 360) % 360;
  return Number.isFinite(normalized) ? normalized : 0;
}
