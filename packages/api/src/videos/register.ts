/**
 * A video registered from an ffprobe of a source object already in storage, without ingest
 * (uploads go through `POST /v1/videos` and the ingest job). Tests use this; so can an operator
 * with sources already in place.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { chooseVideo, ffprobe, isKilnError, MP4_DEMUXERS, rational, sourceFacts, videoPicture } from '@kiln/shared';
import type { ObjectStorage, ProbeResult, VideoRecord } from '@kiln/shared';
import type { VideoRepository } from './repository.js';

/** The record a probe describes: ready when it has a picture with a size or audio, and a length; else failed. */
export function recordFromProbe(probe: ProbeResult, base: Pick<VideoRecord, 'id' | 'sourceKey' | 'size' | 'createdAt'>): VideoRecord {
  const { duration, video, audio } = sourceFacts(probe);
  const hasAudio = audio !== undefined;
  const unreadablePicture = video === undefined && chooseVideo(probe) !== undefined;
  if (duration === undefined || duration.num <= 0 || (video === undefined && !hasAudio) || unreadablePicture) {
    const error = { code: 'NOT_A_VIDEO', message: 'the source has no playable video or audio stream' };
    return { ...base, state: 'failed', duration: rational(0), hasAudio, error };
  }
  return { ...base, state: 'ready', duration, hasAudio, ...(video === undefined ? {} : { picture: videoPicture(video) }) };
}

/**
 * Workers read a source as an MP4 and nothing else, so it is probed as one: a playlist or a
 * concat script put in its place opens nothing and is registered as failed (no streams).
 */
async function probeSource(file: string): Promise<ProbeResult> {
  try {
    return await ffprobe(file, { protocols: ['file'], formats: MP4_DEMUXERS });
  } catch (error) {
    if (isKilnError(error) && /not on whitelist/.test(String(error.details?.stderr))) return { streams: [] };
    throw error;
  }
}

export interface RegisterOptions {
  readonly storage: ObjectStorage;
  readonly videos: VideoRepository;
  readonly videoId: string;
  readonly sourceKey: string;
  readonly now?: () => Date;
}

/** Probes the source object (copied to a temporary file: MP4s may keep their index at the end) and saves its record. */
export async function registerVideoFromSource(options: RegisterOptions): Promise<VideoRecord> {
  const { storage, sourceKey } = options;
  const info = await storage.head(sourceKey);
  const dir = await mkdtemp(join(tmpdir(), 'kiln-probe-'));
  try {
    const file = join(dir, 'source');
    await pipeline(await storage.getRange(sourceKey), createWriteStream(file));
    const probe = await probeSource(file);
    const createdAt = (options.now?.() ?? new Date()).getTime();
    const record = recordFromProbe(probe, { id: options.videoId, sourceKey, size: info?.size ?? 0, createdAt });
    await options.videos.save(record);
    return record;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
