/**
 * How long media really lasts, measured the same way on both sides of Kiln: the original file
 * (ffprobe's packet list, demux only) and what a player gets (ffmpeg reading an HLS variant to
 * its end and decoding every frame). A stream's extent runs from its first timestamp to its last
 * one plus that packet's or frame's duration.
 */
import { runFfmpeg, runFfprobe } from '@kiln/shared';

export interface StreamExtent {
  readonly start: number;
  readonly end: number;
  /** Timestamps missing or uneven: packets without a PTS or a duration, or several frame spacings. */
  readonly irregular: boolean;
}

export interface Timeline {
  readonly video?: StreamExtent;
  readonly audio?: StreamExtent;
}

export const extentSeconds = (extent: StreamExtent): number => extent.end - extent.start;

/** From first timestamp to last plus its duration; a packet without one lasts the usual spacing. */
class ExtentBuilder {
  private readonly packets: { at: number; duration: number }[] = [];
  private untimed = 0;

  add(pts: number, dts: number, duration: number): void {
    if (Number.isNaN(pts)) this.untimed += 1;
    const at = Number.isNaN(pts) ? dts : pts;
    if (!Number.isNaN(at)) this.packets.push({ at, duration });
  }

  build(): StreamExtent | undefined {
    if (this.packets.length === 0) return undefined;
    const times = this.packets.map((packet) => packet.at).sort((a, b) => a - b);
    const spacings = times.slice(1).map((time, i) => Math.round((time - (times[i] ?? time)) * 1e4)).filter((spacing) => spacing > 0);
    const usual = (spacings.sort((a, b) => a - b)[Math.floor(spacings.length / 2)] ?? 0) / 1e4;
    const undurated = this.packets.filter((packet) => !(packet.duration > 0)).length;
    const end = this.packets.reduce((last, packet) => Math.max(last, packet.at + (packet.duration > 0 ? packet.duration : usual)), -Infinity);
    const irregular = this.untimed > 0 || undurated > 0 || new Set(spacings).size > 1;
    return { start: times[0] ?? 0, end, irregular };
  }
}

interface ProbedStream { index: number; codec_type?: string; duration?: string; start_time?: string; disposition?: { attached_pic?: number } }
interface ProbedPacket { stream_index: number; pts_time?: string; dts_time?: string; duration_time?: string; flags?: string }

/**
 * A source's first real video stream (cover art is not video) and first audio stream, from their
 * packets. `-show_entries` lists streams before packets, so one pass tells which index is which.
 * What an MP4 edit list cuts is not presented: packets flagged discard (`D`) do not count, and a
 * stream ends where its declared duration says when that is sooner than its last packet's end.
 */
export async function sourceTimeline(file: string, signal?: AbortSignal): Promise<Timeline> {
  const args = [
    '-v', 'error', '-of', 'json', '-show_entries',
    'stream=index,codec_type,start_time,duration:stream_disposition=attached_pic:packet=stream_index,pts_time,dts_time,duration_time,flags', file,
  ];
  const { stdout } = await runFfprobe(args, signal === undefined ? {} : { signal });
  const parsed = JSON.parse(stdout.toString('utf8')) as { streams?: ProbedStream[]; packets?: ProbedPacket[] };
  const streams = parsed.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1);
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  const builders = { video: new ExtentBuilder(), audio: new ExtentBuilder() };
  for (const packet of parsed.packets ?? []) {
    if (packet.flags?.includes('D') === true) continue;
    const builder = packet.stream_index === video?.index ? builders.video : packet.stream_index === audio?.index ? builders.audio : undefined;
    builder?.add(Number(packet.pts_time), Number(packet.dts_time), Number(packet.duration_time));
  }
  return withExtents(cappedByDeclared(builders.video.build(), video), cappedByDeclared(builders.audio.build(), audio));
}

function cappedByDeclared(extent: StreamExtent | undefined, stream: ProbedStream | undefined): StreamExtent | undefined {
  const declared = Number(stream?.duration);
  if (extent === undefined || !(declared > 0)) return extent;
  const declaredEnd = (Number(stream?.start_time) || 0) + declared;
  return declaredEnd < extent.end && declaredEnd > extent.start ? { ...extent, end: declaredEnd } : extent;
}

function withExtents(video: StreamExtent | undefined, audio: StreamExtent | undefined): Timeline {
  return { ...(video === undefined ? {} : { video }), ...(audio === undefined ? {} : { audio }) };
}

export interface PlayedTimeline extends Timeline {
  /** What ffmpeg printed (at `-v error`): empty when the read was clean. */
  readonly stderr: string;
}

/**
 * ffmpeg as an HLS client: reads the playlist at `url` to its end, decodes every frame, and lists
 * each frame's time (`framecrc`: stream, dts, pts, duration, in each stream's time base). Rejects
 * when ffmpeg fails; `signal` bounds the read.
 */
export async function playedTimeline(url: string, signal?: AbortSignal): Promise<PlayedTimeline> {
  const args = ['-v', 'warning', '-nostdin', '-i', url, '-map', '0', '-f', 'framecrc', '-'];
  const { stdout, stderr } = await runFfmpeg(args, signal === undefined ? {} : { signal });
  return { ...parseFramecrc(stdout.toString('utf8')), stderr };
}

/** framecrc text → each stream's extent; the header names each stream's type and time base. */
export function parseFramecrc(text: string): Timeline {
  const timeBases = new Map<number, number>();
  const types = new Map<number, string>();
  const builders = new Map<number, ExtentBuilder>();
  for (const line of text.split('\n')) {
    const header = /^#(tb|media_type) (\d+): (\S+)/.exec(line);
    if (header !== null) {
      const [, field, index, value] = header as unknown as [string, string, string, string];
      if (field === 'tb') timeBases.set(Number(index), fraction(value));
      else types.set(Number(index), value);
      continue;
    }
    const [stream, , pts, duration] = line.split(',').map((cell) => Number(cell.trim()));
    if (line.startsWith('#') || stream === undefined || pts === undefined || duration === undefined || Number.isNaN(stream)) continue;
    const timeBase = timeBases.get(stream) ?? 1;
    const builder = builders.get(stream) ?? new ExtentBuilder();
    builders.set(stream, builder);
    builder.add(pts * timeBase, pts * timeBase, duration * timeBase);
  }
  const ofType = (type: string) => {
    const index = [...types].find(([, value]) => value === type)?.[0];
    return index === undefined ? undefined : builders.get(index)?.build();
  };
  return withExtents(ofType('video'), ofType('audio'));
}

function fraction(text: string): number {
  const [num, den] = text.split('/').map(Number);
  return (num ?? 0) / (den ?? 1);
}
