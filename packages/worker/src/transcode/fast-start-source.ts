/**
 * The real source path (DESIGN.md "Sources"): range reads of `sources/{video}.mp4`, the fast-start
 * view of issue 4 (moov first, chunk offsets rewritten), served on a loopback endpoint of its own
 * with Range support so ffmpeg can seek to the keyframe before `-ss` and read nothing earlier.
 */
import type { ObjectStorage } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import { openFastStartView, seekHold, serveView, storageRangeReader, type FastStartPlan } from '../source/index.js';
import { MP4_FORMATS } from './ffmpeg-args.js';
import { sourceKey, type SourceOpener } from './source.js';

/** Where the view's leading boxes and moov end: a seeking ffmpeg's first response pauses a little after. */
function moovEndInView(plan: FastStartPlan): number | undefined {
  if (!plan.relocated) return undefined;
  const memory = plan.pieces.filter((piece) => piece.kind === 'memory');
  const last = memory.at(-1);
  return last === undefined ? undefined : last.viewStart + last.bytes.length;
}

export function fastStartSource(storage: ObjectStorage): SourceOpener {
  return {
    name: 'fast-start',
    open: async (videoId, seeking = false) => {
      const key = sourceKey(videoId);
      if ((await storage.head(key)) === undefined) throw WorkerErrors.create('SOURCE_MISSING', `no source for video ${videoId}`, { details: { key } });
      const reader = await storageRangeReader(storage, key);
      const view = await openFastStartView(reader);
      // Only a seeking ffmpeg abandons its first response; holding it would only delay a run from 0.
      const moovEnd = seeking ? moovEndInView(view.plan) : undefined;
      const endpoint = await serveView(view.plan, reader, moovEnd === undefined ? {} : { seekHold: seekHold(moovEnd) });
      return {
        input: { url: endpoint.url, protocols: ['http', 'tcp'], formats: MP4_FORMATS, stdin: false },
        close: () => endpoint.close(),
      };
    },
  };
}
