/**
 * What a segment really holds, for checking playlists against real encodes: stream facts from
 * ffprobe, and the CODECS string read from the SPS itself (ffprobe names the profile but not the
 * constraint flags, which RFC 6381 puts in the string).
 */
import { runFfmpeg, runFfprobe } from '@kiln/shared';

export interface SegmentFacts {
  /** `avc1.PPCCLL` from the first SPS, and `mp4a.40.2` when the audio is AAC-LC. */
  readonly codecs: string;
  readonly width: number;
  readonly height: number;
  /** ffprobe's r_frame_rate, `30000/1001`. */
  readonly frameRate: string;
  readonly videoFrames: number;
}

interface ProbedStream {
  readonly codec_type?: string;
  readonly codec_name?: string;
  readonly profile?: string;
  readonly width?: number;
  readonly height?: number;
  readonly r_frame_rate?: string;
  readonly nb_read_packets?: string;
}

/** The three bytes after an SPS NAL header (profile_idc, constraint flags, level_idc) as `avc1.…`. */
export function avcCodecFromAnnexB(stream: Uint8Array): string {
  for (let i = 0; i + 6 < stream.length; i += 1) {
    const startCode = stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1;
    if (startCode && ((stream[i + 3] ?? 0) & 0x1f) === 7) {
      const hex = Buffer.from(stream.subarray(i + 4, i + 7)).toString('hex');
      return `avc1.${hex}`;
    }
  }
  throw new Error('no SPS in the stream');
}

async function probeStreams(segment: Buffer): Promise<ProbedStream[]> {
  const args = ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,profile,width,height,r_frame_rate,nb_read_packets', '-of', 'json', 'pipe:0'];
  const { stdout } = await runFfprobe(args, { input: segment });
  return (JSON.parse(stdout.toString('utf8')) as { streams?: ProbedStream[] }).streams ?? [];
}

export async function probeSegment(segment: Buffer): Promise<SegmentFacts> {
  const streams = await probeStreams(segment);
  const video = streams.find((stream) => stream.codec_type === 'video');
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (video?.width === undefined || video.height === undefined || video.r_frame_rate === undefined) throw new Error('the segment has no video');
  const { stdout } = await runFfmpeg(['-v', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-c', 'copy', '-f', 'h264', 'pipe:1'], { input: segment });
  const aacLc = audio?.codec_name === 'aac' && audio.profile === 'LC';
  return {
    codecs: [avcCodecFromAnnexB(stdout), ...(aacLc ? ['mp4a.40.2'] : audio ? [`unexpected ${audio.codec_name} ${audio.profile}`] : [])].join(','),
    width: video.width,
    height: video.height,
    frameRate: video.r_frame_rate,
    videoFrames: Number(video.nb_read_packets),
  };
}
