/**
 * The start variant, the one a master playlist lists first (clients start there), and the floor
 * of a start: plain ffmpeg encoding the first seconds of a local file at that variant.
 */
import { parseAttributes } from './master-playlist.js';

export interface StartVariant {
  /** The variant playlist's URI as written. */
  readonly uri: string;
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  /** x264's profile and level, read from the `avc1.PPCCLL` codec string. */
  readonly profile: 'baseline' | 'main' | 'high';
  readonly level: string;
}

const PROFILES: Readonly<Record<string, StartVariant['profile']>> = { '42': 'baseline', '4d': 'main', '64': 'high' };

/** The first `EXT-X-STREAM-INF` of a master playlist with video, read; an error when it has none. */
export function startVariant(master: string): StartVariant {
  const lines = master.split('\n').map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF:'));
  const attributes = parseAttributes(lines[at]?.slice('#EXT-X-STREAM-INF:'.length) ?? '');
  const avc = /avc1\.([0-9a-f]{2})[0-9a-f]{2}([0-9a-f]{2})/i.exec(attributes.get('CODECS') ?? '');
  const [width, height] = (attributes.get('RESOLUTION') ?? '').split('x').map(Number);
  const uri = lines.slice(at + 1).find((line) => line !== '' && !line.startsWith('#'));
  const profile = PROFILES[avc?.[1]?.toLowerCase() ?? ''];
  if (at < 0 || avc === null || profile === undefined || width === undefined || height === undefined || uri === undefined) {
    throw new Error(`no H.264 variant first in the master playlist:\n${master}`);
  }
  const bandwidth = Number(attributes.get('BANDWIDTH'));
  return {
    uri, width, height, frameRate: Number(attributes.get('FRAME-RATE') ?? 30), bandwidth,
    averageBandwidth: Number(attributes.get('AVERAGE-BANDWIDTH') ?? bandwidth),
    profile, level: (parseInt(avc[2] ?? '0', 16) / 10).toFixed(1),
  };
}

/**
 * Plain ffmpeg making the first `seconds` of `file` at the variant into `target`: its size, frame
 * rate, profile and level; the video at the variant's AVERAGE-BANDWIDTH and peak BANDWIDTH (they
 * also count audio and muxing: a little above its video rate, which hardly changes encode time).
 */
export function floorEncodeArgs(file: string, variant: StartVariant, preset: string, seconds: number, target: string): string[] {
  const { width, height, frameRate, averageBandwidth, bandwidth, profile, level } = variant;
  return [
    '-nostdin', '-v', 'error', '-y', '-i', file, '-t', String(seconds),
    '-vf', `fps=${frameRate},scale=${width}:${height},format=yuv420p`,
    '-c:v', 'libx264', '-preset', preset, '-profile:v', profile, '-level:v', level,
    '-b:v', String(averageBandwidth), '-maxrate', String(bandwidth), '-bufsize', String(bandwidth),
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000', '-f', 'mpegts', target,
  ];
}
