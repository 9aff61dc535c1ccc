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
import type { ObjectStorage, ProbeResult, ProbeStream, Rational } from '@kiln/shared';
import { ffprobe, parseRational, probeFrameRate, rational, streamRotation, toRational } from '@kiln/shared';
import type { VideoPicture, VideoRecord } from '@kiln/shared';
import type { VideoRepository } from './repository.js';

function isPicture(stream: ProbeStream): boolean {
  return stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1;
}

/** A stream's exact duration: duration_ts × time_base when ffprobe gives them, else its decimal. */
function streamDuration(stream: ProbeStream | undefined): Rational | undefined {
  if (stream === undefined) return undefined;
  const ticks = stream.duration_ts;
  const base = typeof stream.time_base === 'string' ? /^(\d+)\/(\d+)$/.exec(stream.time_base) : null;
  if (typeof ticks === 'number' && base?.[1] !== undefined && base[2] !== undefined && ticks > 0) {
    return rational(ticks * Number(base[1]), Number(base[2]));
  }
  return stream.duration === undefined ? undefined : toRational(stream.duration);
}

function pictureOf(stream: ProbeStream): VideoPicture | undefined {
  const frameRate = probeFrameRate(stream.avg_frame_rate) ?? probeFrameRate(stream.r_frame_rate);
  if (stream.width === undefined || stream.height === undefined || frameRate === undefined) return undefined;
  const sar = stream.sample_aspect_ratio;
  const aspect = typeof sar === 'string' && /^\d+:\d+$/.test(sar) && !sar.startsWith('0:') ? parseRational(sar.replace(':', '/')) : undefined;
  const picture = { width: stream.width, height: stream.height, rotation: streamRotation(stream), frameRate };
  return aspect === undefined || (aspect.num === 1 && aspect.den === 1) ? picture : { ...picture, sampleAspectRatio: aspect };
}

/** The record a probe describes: ready when it has a picture with a frame rate or audio, else failed. */
export function recordFromProbe(probe: ProbeResult, base: Pick<VideoRecord, 'id' | 'sourceKey' | 'size' | 'createdAt'>): VideoRecord {
  const video = probe.streams.find(isPicture);
  const audio = probe.streams.find((stream) => stream.codec_type === 'audio');
  const picture = video === undefined ? undefined : pictureOf(video);
  const duration = streamDuration(video ?? audio) ?? (probe.format?.duration === undefined ? undefined : toRational(probe.format.duration));
  if (duration === undefined || (picture === undefined && audio === undefined) || (video !== undefined && picture === undefined)) {
    const error = { code: 'NOT_A_VIDEO', message: 'the source has no playable video or audio stream' };
    return { ...base, state: 'failed', duration: rational(0), hasAudio: audio !== undefined, error };
  }
  return { ...base, state: 'ready', duration, hasAudio: audio !== undefined, ...(picture === undefined ? {} : { picture }) };
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
    const probe = await ffprobe(file, { protocols: ['file'] });
    const createdAt = (options.now?.() ?? new Date()).getTime();
    const record = recordFromProbe(probe, { id: options.videoId, sourceKey, size: info?.size ?? 0, createdAt });
    await options.videos.save(record);
    return record;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
