/**
 * The real source path (DESIGN.md "Sources"): range reads of `sources/{video}.mp4`, the fast-start
 * view of issue 4 (moov first, chunk offsets rewritten), served on a loopback endpoint of its own
 * with Range support so ffmpeg can seek to the keyframe before `-ss` and read nothing earlier.
 */
import { sourceObjectKey, type ObjectStorage } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { openFastStartView, seekHold, serveView, storageRangeReader } from '../source/index.js';
import { MP4_FORMATS } from './ffmpeg-args.js';
import type { SourceOpener } from './source.js';

export function fastStartSource(storage: ObjectStorage): SourceOpener {
  return {
    name: 'fast-start',
    open: async (videoId, seeking = false) => {
      const key = sourceObjectKey(videoId);
      if ((await storage.head(key)) === undefined) throw WorkerErrors.create('SOURCE_MISSING', `no source for video ${videoId}`, { details: { key } });
      const reader = await storageRangeReader(storage, key);
      const view = await openFastStartView(reader);
      // Only a seeking ffmpeg abandons its first response; holding it would only delay a run from 0.
      const moovEnd = seeking && view.plan.relocated ? view.moovEndInView : undefined;
      const endpoint = await serveView(view.plan, reader, moovEnd === undefined ? {} : { seekHold: seekHold(moovEnd) });
      return {
        input: { url: endpoint.url, protocols: ['http', 'tcp'], formats: MP4_FORMATS, stdin: false },
        close: () => endpoint.close(),
      };
    },
  };
}
