/**
 * What ffmpeg and ffprobe may open when they read bytes a user sent: the one place the lists
 * live. A crafted upload (an HLS playlist, a DASH manifest, a concat script, an image-sequence
 * name) must not make ffmpeg read another local file or reach a URL. `-protocol_whitelist` alone
 * does not stop it: a playlist opened by path may name a local file, which the file protocol
 * allows; only the demuxer list does. ffmpeg copies both lists to every input a demuxer opens.
 */
/** A local file or a pipe: every read of an upload on the worker's disk. */
export const LOCAL_PROTOCOLS: readonly string[] = ['file', 'pipe'];

/** The worker's own loopback endpoints (the fast-start view, range reads of a stored source). */
export const LOOPBACK_PROTOCOLS: readonly string[] = ['http', 'tcp'];

/** Demuxers an upload may be read with; a name of a multi-name demuxer (mov = mp4, m4a, 3gp…) is enough. */
export const INGEST_DEMUXERS: readonly string[] = [
  'mov', 'matroska', 'avi', 'flv', 'asf', 'mpegts', 'mpeg', 'mpegvideo', 'mxf', 'rm', 'mp3', 'aac', 'ac3', 'eac3',
  'ogg', 'wav', 'w64', 'flac', 'aiff', 'amr', 'caf', 'h264', 'hevc', 'm4v', 'ivf', 'dv', 'nut', 'yuv4mpegpipe',
];

/** The mov demuxer, under every name it answers to: what a checked source (and a transcode) is read with. */
export const MP4_DEMUXERS: readonly string[] = ['mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2'];

/**
 * Demuxers no list may name (ffmpeg 5.1): those that open further files or URLs (playlists,
 * manifests, scripts, sequences, companion files, network sessions, filter graphs) and those that
 * render any text file as a picture.
 */
export const FORBIDDEN_DEMUXERS: readonly string[] = [
  'hls', 'applehttp', 'dash', 'concat', 'ffconcat', 'imf', 'webm_dash_manifest', 'image2', 'image2pipe',
  'vobsub', 'mlv', 'sdp', 'rtp', 'rtsp', 'sap', 'lavfi', 'tty', 'bin', 'xbin', 'idf', 'adf',
];

/** Protocols that wrap other URLs: one allowed would open whatever it names. */
export const FORBIDDEN_PROTOCOLS: readonly string[] = ['concat', 'concatf', 'subfile', 'crypto', 'hls', 'async', 'cache', 'data'];

/** What an input may open; both lists are required (a forgotten format list lets a playlist in). */
export interface InputWhitelist {
  readonly protocols: readonly string[];
  readonly formats: readonly string[];
}

/** `-protocol_whitelist … -format_whitelist …`, before `-i`; refuses an empty list or a forbidden name. */
export function whitelistArgs(whitelist: InputWhitelist): string[] {
  const { protocols, formats } = whitelist;
  const bad = [
    ...protocols.filter((name) => FORBIDDEN_PROTOCOLS.includes(name)),
    ...formats.filter((name) => FORBIDDEN_DEMUXERS.includes(name)),
  ];
  if (protocols.length === 0 || formats.length === 0 || bad.length > 0) {
    // A programming mistake, not a bad input: no error code for clients.
    throw new RangeError(`an input whitelist must be non-empty and safe (${bad.join(', ') || 'empty'})`);
  }
  return ['-protocol_whitelist', protocols.join(','), '-format_whitelist', formats.join(',')];
}
