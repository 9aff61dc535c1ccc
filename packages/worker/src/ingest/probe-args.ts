/**
 * Arguments for the three read-only runs of ingest (ffprobe, a packet scan, a trial decode) and
 * parsers for what they print. Pure. Every run may open only local files and pipes, and only
 * the demuxers of `INGEST_DEMUXERS` (`@kiln/shared`): an HLS playlist or a concat list disguised
 * as a video must not make ffmpeg read other files.
 */
import { INGEST_DEMUXERS, LOCAL_PROTOCOLS, whitelistArgs } from '@kiln/shared';
import type { StreamScan, TrialDecode } from './types.js';

/** Reading options shared by every run, before `-i`. */
export function inputArgs(path: string): string[] {
  return [...whitelistArgs({ protocols: LOCAL_PROTOCOLS, formats: INGEST_DEMUXERS }), '-i', path];
}

/** ffprobe's JSON view of streams and format (the shared parser reads it). */
export function probeArgs(path: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...inputArgs(path)];
}

/** Every packet's stream and times, without decoding: how far the media really goes. */
export function scanArgs(path: string): string[] {
  return ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time', '-of', 'csv=p=0', ...inputArgs(path)];
}

export interface TrialStreams {
  readonly video?: number;
  readonly audio?: number;
}

/**
 * Decodes the first `seconds` of the chosen streams into per-frame checksums on stdout: one line
 * per frame tells what came out. Video frames are passed by reference (wrapped_avframe), so a
 * 4K frame costs no copy.
 */
export function trialArgs(path: string, streams: TrialStreams, seconds = 2): string[] {
  const maps = [streams.video, streams.audio].flatMap((index) => (index === undefined ? [] : ['-map', `0:${index}`]));
  return [
    '-nostdin', '-v', 'error', ...inputArgs(path), ...maps,
    '-t', String(seconds), '-c:v', 'wrapped_avframe', '-c:a', 'pcm_s16le', '-f', 'framecrc', 'pipe:1',
  ];
}

const timeOf = (text: string | undefined): number | undefined => {
  const parsed = text === undefined || text === 'N/A' ? undefined : Number(text);
  return parsed !== undefined && Number.isFinite(parsed) ? parsed : undefined;
};

/** Folds scanArgs' CSV (`stream,pts,dts,duration`) into per-stream extents. */
export function parseScan(csv: string): Map<number, StreamScan> {
  const scans = new Map<number, StreamScan>();
  for (const line of csv.split('\n')) {
    const [indexText, ptsText, dtsText, durationText] = line.trim().split(',');
    const index = Number(indexText);
    if (line.trim() === '' || !Number.isInteger(index)) continue;
    const pts = timeOf(ptsText);
    const time = pts ?? timeOf(dtsText);
    const previous = scans.get(index) ?? { packets: 0, timedPackets: 0, start: Infinity, last: -Infinity, end: -Infinity, untimed: 0 };
    scans.set(index, {
      packets: previous.packets + 1,
      timedPackets: previous.timedPackets + (time === undefined ? 0 : 1),
      start: time === undefined ? previous.start : Math.min(previous.start, time),
      last: time === undefined ? previous.last : Math.max(previous.last, time),
      end: time === undefined ? previous.end : Math.max(previous.end, time + (timeOf(durationText) ?? 0)),
      untimed: previous.untimed + (pts === undefined ? 1 : 0),
    });
  }
  return scans;
}

/** Counts framecrc lines per output stream (0 = video when there is one) and reads stderr's errors. */
export function parseTrial(framecrc: string, stderr: string, streams: TrialStreams): TrialDecode {
  const perStream = new Map<number, number>();
  for (const line of framecrc.split('\n')) {
    const match = /^(\d+),/.exec(line);
    if (match) perStream.set(Number(match[1]), (perStream.get(Number(match[1])) ?? 0) + 1);
  }
  const audioOutput = streams.video === undefined ? 0 : 1;
  const errors = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('Last message repeated'));
  return {
    videoFrames: streams.video === undefined ? 0 : (perStream.get(0) ?? 0),
    audioFrames: streams.audio === undefined ? 0 : (perStream.get(audioOutput) ?? 0),
    errorLines: errors.length,
    errors: errors.slice(0, 3),
    decoderMissing: /Decoder \(codec [^)]*\) not found|Decoding requested, but no decoder found/.test(stderr),
  };
}
