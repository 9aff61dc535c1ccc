/** HLS segments (MPEG-TS), as stored in the cache and answered by the API and the workers. */
export const SEGMENT_CONTENT_TYPE = 'video/mp2t';
/** HLS playlists, master and variant. */
export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

/** Content types of the files Kiln stores, by extension; anything else is plain bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  m3u8: PLAYLIST_CONTENT_TYPE,
  ts: SEGMENT_CONTENT_TYPE,
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  mov: 'video/quicktime',
  json: 'application/json',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * The content type for a key, from its extension. The filesystem driver stores no metadata,
 * so it answers this for every object; the S3 driver uses it when `put` is given none.
 */
export function contentTypeForKey(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return CONTENT_TYPES[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
