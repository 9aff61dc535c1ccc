/**
 * ffmpeg input arguments for a fast-start view. ffmpeg reads only what we hand it: the http and tcp
 * protocols (for our loopback endpoint) or the pipe, and only the MP4/QuickTime demuxer.
 */
import { LOOPBACK_PROTOCOLS, MP4_DEMUXERS, whitelistArgs } from '@kiln/shared';

export interface ViewInputOptions {
  /** Seconds: put before `-i`, so ffmpeg seeks in the input (to the keyframe before it) instead of decoding up to it. */
  readonly seekSeconds?: number;
}

/** Reading the view from our endpoint; the URL must be a loopback one (`serveView` makes it so). */
export function viewUrlInputArgs(url: string, options: ViewInputOptions = {}): string[] {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`not a loopback view URL: ${url}`);
  return [...seekArgs(options), ...whitelistArgs({ protocols: LOOPBACK_PROTOCOLS, formats: MP4_DEMUXERS }), '-f', 'mov', '-i', url];
}

/** Reading the view as a stream on stdin: no seeking, moov first is what makes it work. */
export function viewPipeInputArgs(): string[] {
  return [...whitelistArgs({ protocols: ['pipe'], formats: MP4_DEMUXERS }), '-f', 'mov', '-i', 'pipe:0'];
}

function seekArgs(options: ViewInputOptions): string[] {
  return options.seekSeconds === undefined ? [] : ['-ss', options.seekSeconds.toFixed(3)];
}
