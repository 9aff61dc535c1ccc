/**
 * The source path workers use (docs/architecture.md "Sources"): range reads of `sources/{video}.mp4`,
 * the fast-start view (moov first, chunk offsets rewritten), served on a loopback endpoint of its own
 * with Range support so ffmpeg can seek to the keyframe before `-ss` and read nothing earlier.
 *
 * A video's view is kept once made (bounded by the rewritten moovs' bytes): the probe before a first
 * run, a seek or another rendition then skip the moov reads and the rewrite.
 * Every open still sends one HEAD: a missing source is SOURCE_MISSING, and a source whose size or
 * date changed is opened afresh.
 */
import { LRUCache } from 'lru-cache';
import { LOOPBACK_PROTOCOLS, MP4_DEMUXERS, sourceObjectKey, type ObjectInfo, type ObjectStorage } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import {
  DEFAULT_CHUNK_BYTES, objectRangeReader, openFastStartView, seekHold, serveView,
  type FastStartView, type RangeReader, type ViewEndpointOptions,
} from '../source/index.js';
import type { SourceOpener } from './source.js';

/** Room for the views of many videos: a 1 h 1080p file's moov is a few MB. */
export const VIEW_CACHE_BYTES = 32 * 1024 * 1024;

interface OpenedView {
  /** What the HEAD said when the view was made: a different answer means another object. */
  readonly version: string;
  readonly reader: RangeReader;
  readonly view: FastStartView;
}

const versionOf = (info: ObjectInfo) => `${info.size}@${info.lastModified.getTime()}`;

/**
 * A seek that lands in the first MiBs of media (by the average bitrate) gets no seek hold: its
 * keyframe lies inside the first response, ffmpeg reads on, and the hold would only stall it for
 * up to its 300 ms limit, while what it can save is less than this much reading.
 */
const NEAR_SEEK_BYTES = 2 * 1024 * 1024;

/**
 * How the endpoint reads for one ffmpeg. A seeking one abandons its first response after the moov:
 * small first reads and the seek hold. One from the start reads on to the end of its run, and
 * holding it would only delay it: its media comes in one streamed request from the first byte.
 */
function endpointOptions(view: FastStartView, seekFraction: number): ViewEndpointOptions {
  if (seekFraction <= 0) return { chunkBytes: DEFAULT_CHUNK_BYTES, growAfterBytes: 0 };
  const bytesBeforeSeek = seekFraction * (view.plan.size - view.moovEndInView);
  return view.plan.relocated && bytesBeforeSeek > NEAR_SEEK_BYTES ? { seekHold: seekHold(view.moovEndInView) } : {};
}

export function fastStartSource(storage: ObjectStorage, cacheBytes = VIEW_CACHE_BYTES): SourceOpener {
  // The most recently used views, least recent evicted first once their moovs pass `cacheBytes`.
  const cache = new LRUCache<string, OpenedView>({ maxSize: cacheBytes, sizeCalculation: (opened) => opened.view.viewMoovSize });
  const viewOf = async (videoId: string): Promise<OpenedView> => {
    const key = sourceObjectKey(videoId);
    const info = await storage.head(key);
    if (info === undefined) throw WorkerErrors.create('SOURCE_MISSING', `no source for video ${videoId}`, { details: { key } });
    const version = versionOf(info);
    const cached = cache.get(videoId);
    if (cached?.version === version) return cached;
    // The HEAD above gave the size: the reader needs no HEAD of its own.
    const reader = objectRangeReader(storage, key, info.size);
    const opened = { version, reader, view: await openFastStartView(reader) };
    cache.set(videoId, opened);
    return opened;
  };
  return {
    name: 'fast-start',
    open: async (videoId, seekFraction = 0) => {
      const { reader, view } = await viewOf(videoId);
      const endpoint = await serveView(view.plan, reader, endpointOptions(view, seekFraction));
      return {
        input: { url: endpoint.url, protocols: LOOPBACK_PROTOCOLS, formats: MP4_DEMUXERS, stdin: false },
        close: () => endpoint.close(),
      };
    },
  };
}
