/**
 * What a transcode reads: a small interface so the run does not care where the bytes come from.
 * - `localFileSource`: a file on this machine (tests, benchmarks).
 * - `storageRangeSource`: plain range reads of the object in storage through a loopback HTTP
 *   endpoint, so ffmpeg can seek (the moov at the end costs it one extra range request): the
 *   fallback without the fast-start view of `../source`, which tests compare it with.
 */
import type { Readable } from 'node:stream';
import { LOOPBACK_PROTOCOLS, MP4_DEMUXERS, sourceObjectKey, type ObjectStorage } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { InputSpec } from './ffmpeg-args.js';
import type { RangeServer } from './range-server.js';

export interface TranscodeInput {
  readonly input: InputSpec;
  /** Bytes for ffmpeg's stdin when `input.stdin` is true. */
  readonly stdin?: Readable;
  close(): Promise<void>;
}

/** Opens a video's source for one ffmpeg (each run and each probe opens its own). */
export interface SourceOpener {
  readonly name: string;
  /**
   * `seekFraction`: how far into the source the run starts (its `-ss` over the duration, 0…1);
   * past 0, ffmpeg will jump from the moov to the keyframe before it.
   */
  open(videoId: string, seekFraction?: number): Promise<TranscodeInput>;
}

export function localFileSource(pathOf: (videoId: string) => string): SourceOpener {
  return {
    name: 'local-file',
    open: (videoId) =>
      Promise.resolve({
        input: { url: `file:${pathOf(videoId)}`, protocols: ['file'], formats: MP4_DEMUXERS, stdin: false },
        close: () => Promise.resolve(),
      }),
  };
}

/** Range reads of `sources/{video}.mp4` through the worker's loopback endpoint (no fast-start). */
export function storageRangeSource(storage: ObjectStorage, server: RangeServer): SourceOpener {
  return {
    name: 'storage-range',
    open: async (videoId) => {
      const key = sourceObjectKey(videoId);
      const info = await storage.head(key);
      if (info === undefined) throw WorkerErrors.create('SOURCE_MISSING', `no source for video ${videoId}`, { details: { key } });
      const url = server.publish(key, info.size);
      return {
        input: { url, protocols: LOOPBACK_PROTOCOLS, formats: MP4_DEMUXERS, stdin: false },
        close: () => Promise.resolve(server.withdraw(url)),
      };
    },
  };
}
