/**
 * A naive on-demand HLS server, the way Jellyfin does it, as the peer Kiln's cold start is measured
 * against: the first request starts one ffmpeg from 0 with ffmpeg's own HLS muxer (same rendition
 * settings as Kiln's, IDRs only on Kiln's boundaries so the segments have Kiln's lengths); the
 * playlists are answered at once (a complete VOD playlist computed from the plan); segment N is
 * served once N+1 exists (ffmpeg has moved on) or ffmpeg has ended.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  extinf, formatSeconds, LOCAL_PROTOCOLS, MP4_DEMUXERS, PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE, spawnFfmpeg, targetDuration,
  type MediaToolProcess, type SegmentPlan, type X264Preset,
} from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { transcodeArgs, type Rendition, type TranscodeFacts } from '@kiln/worker';

/** How often a waiting segment request looks for the next segment's file. */
const POLL_MS = 20;
const SEGMENT_WAIT_MS = 60_000;

/** The one-variant master: BANDWIDTH is the rung's peak video rate plus its audio. */
export function peerMaster(rendition: Rendition): string {
  const { rung } = rendition;
  const video = rung.kind === 'video' ? rung : undefined;
  const bandwidth = (video?.video.maxrate ?? 0) + rung.audioBitrate;
  const resolution = video === undefined ? '' : `,RESOLUTION=${video.width}x${video.height}`;
  return `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth}${resolution}\nindex.m3u8\n`;
}

/** The complete VOD playlist, known before any encode: the plan's segments. */
export function peerPlaylist(plan: SegmentPlan): string {
  const segments = plan.segments.map((segment, n) => `#EXTINF:${extinf(segment)},\n${n}.ts`);
  return ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDuration(plan)}`, '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD', ...segments, '#EXT-X-ENDLIST', ''].join('\n');
}

/**
 * Kiln's command line for the whole rendition from 0, with ffmpeg's HLS muxer as the output: IDRs
 * on the segment boundaries only, so that `-hls_time 1` cuts at each of them and nowhere else.
 */
export function peerArgs(file: string, facts: TranscodeFacts, rendition: Rendition, preset: X264Preset, dir: string): string[] {
  const { plan } = rendition;
  const input = { url: file, stdin: false, protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS };
  const args = transcodeArgs({ input, facts, rung: rendition.rung, plan, from: 0, until: plan.segments.length, preset, threads: 0 });
  const keyframes = args.indexOf('-force_key_frames') + 1;
  if (keyframes > 0) args[keyframes] = plan.segments.map((segment) => formatSeconds(segment.start)).join(',');
  return [
    ...args.slice(0, args.indexOf('-output_ts_offset')),
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-start_number', '0',
    '-hls_segment_filename', join(dir, '%d.ts'), join(dir, 'ffmpeg.m3u8'),
  ];
}

export interface NaivePeer {
  /** The master playlist's URL. */
  readonly url: string;
  /** ffmpeg runs started so far (one per peer, by design). */
  readonly runs: number;
  close(): Promise<void>;
}

export interface NaivePeerOptions {
  readonly file: string;
  readonly facts: TranscodeFacts;
  readonly rendition: Rendition;
  readonly preset: X264Preset;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

export async function startNaivePeer(options: NaivePeerOptions): Promise<NaivePeer> {
  const dir = await makeTempDir('kiln-naive-peer-');
  let ffmpeg: MediaToolProcess | undefined;
  let ended = false;
  let closing = false;
  const start = () => {
    if (ffmpeg !== undefined) return;
    ffmpeg = spawnFfmpeg(peerArgs(options.file, options.facts, options.rendition, options.preset, dir), { stdout: 'ignore' });
    ffmpeg.done.catch((error: unknown) => closing || process.stderr.write(`naive peer: ${String(error)}\n`)).finally(() => (ended = true));
  };
  /** Segment n once ffmpeg has opened n + 1 (n is closed) or ended; false after the wait. */
  const ready = async (n: number): Promise<boolean> => {
    const deadline = Date.now() + SEGMENT_WAIT_MS;
    while (!ended && !(await exists(join(dir, `${n + 1}.ts`)))) {
      if (Date.now() > deadline) return false;
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
    return exists(join(dir, `${n}.ts`));
  };
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    start();
    response.setHeader('access-control-allow-origin', '*');
    const path = new URL(request.url ?? '/', 'http://peer').pathname;
    const segment = /^\/(\d+)\.ts$/.exec(path);
    if (path === '/master.m3u8') response.writeHead(200, { 'content-type': PLAYLIST_CONTENT_TYPE }).end(peerMaster(options.rendition));
    else if (path === '/index.m3u8') response.writeHead(200, { 'content-type': PLAYLIST_CONTENT_TYPE }).end(peerPlaylist(options.rendition.plan));
    else if (segment !== null && Number(segment[1]) < options.rendition.plan.segments.length && (await ready(Number(segment[1])))) {
      response.writeHead(200, { 'content-type': SEGMENT_CONTENT_TYPE });
      createReadStream(join(dir, `${segment[1]}.ts`)).pipe(response);
    } else response.writeHead(404).end();
  };
  const server = createServer((request, response) => void answer(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/master.m3u8`,
    get runs() {
      return ffmpeg === undefined ? 0 : 1;
    },
    async close() {
      closing = true;
      ffmpeg?.kill();
      await ffmpeg?.done.catch(() => undefined);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await removeTempDir(dir);
    },
  };
}
