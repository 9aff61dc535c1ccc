/**
 * The video record (Redis hash at RedisKeys.video): what playback needs to render playlists
 * before any encode. The API creates it at upload, the ingest job (worker) fills it in and moves
 * it on: uploading → processing → ready | failed. `ready` means playable: the inspection verdict
 * is in and the source workers read is in place; the pinned opening is made after that, in the
 * background (`opening`). It lives here because both write it.
 */
import type { LadderSource, VideoFacts } from '../media/index.js';
import { parseRational, type Rational } from '../schedule/index.js';

export const VIDEO_STATES = ['uploading', 'processing', 'ready', 'failed'] as const;
export type VideoState = (typeof VIDEO_STATES)[number];

/** The pinned opening of an ingested video: being made (playback works, made on demand meanwhile) or pinned in the cache. */
export const OPENING_STATES = ['making', 'pinned'] as const;
export type OpeningState = (typeof OPENING_STATES)[number];

/** The picture facts playlists need before any encode; the frame rate is constant (ingest makes VFR sources CFR). */
export type VideoPicture = Pick<VideoFacts, 'width' | 'height' | 'rotation' | 'sampleAspectRatio' | 'frameRate'>;

/** A record's picture from the facts of a source's video (only the fields the record keeps). */
export function videoPicture(video: VideoPicture): VideoPicture {
  const { width, height, rotation, sampleAspectRatio, frameRate } = video;
  return { width, height, rotation, frameRate, ...(sampleAspectRatio === undefined ? {} : { sampleAspectRatio }) };
}

export interface VideoRecord {
  readonly id: string;
  readonly state: VideoState;
  /** Object key of the source the workers read. */
  readonly sourceKey: string;
  /** Bytes of the source object. */
  readonly size: number;
  /** Exact duration: the video stream's end (or the audio's for audio-only sources); 0 until ingest knows it. */
  readonly duration: Rational;
  /** Absent for audio-only sources. */
  readonly picture?: VideoPicture;
  readonly hasAudio: boolean;
  /** Absent for a video registered without ingest (nothing is pre-transcoded for it). */
  readonly opening?: OpeningState;
  readonly error?: { readonly code: string; readonly message: string };
  readonly createdAt: number;
}

export function ladderSource(record: VideoRecord): LadderSource {
  const { picture } = record;
  if (picture === undefined) return { audioOnly: true };
  return { ...picture, hasAudio: record.hasAudio };
}

const formatRational = (value: Rational): string => `${value.num}/${value.den}`;

/** The hash fields of a record: flat strings, readable with `redis-cli HGETALL`. */
export function recordToFields(record: VideoRecord): Record<string, string> {
  const fields: Record<string, string> = {
    id: record.id,
    state: record.state,
    sourceKey: record.sourceKey,
    size: String(record.size),
    duration: formatRational(record.duration),
    hasAudio: record.hasAudio ? '1' : '0',
    createdAt: String(record.createdAt),
  };
  if (record.picture !== undefined) {
    const { width, height, rotation, sampleAspectRatio, frameRate } = record.picture;
    Object.assign(fields, { width: String(width), height: String(height), rotation: String(rotation), frameRate: formatRational(frameRate) });
    if (sampleAspectRatio !== undefined) fields.sampleAspectRatio = formatRational(sampleAspectRatio);
  }
  if (record.opening !== undefined) fields.opening = record.opening;
  if (record.error !== undefined) Object.assign(fields, { errorCode: record.error.code, errorMessage: record.error.message });
  return fields;
}

function pictureFromFields(fields: Readonly<Record<string, string>>): VideoPicture | undefined {
  if (fields.width === undefined || fields.height === undefined || fields.frameRate === undefined) return undefined;
  const picture = {
    width: Number(fields.width),
    height: Number(fields.height),
    rotation: Number(fields.rotation ?? 0),
    frameRate: parseRational(fields.frameRate),
  };
  return fields.sampleAspectRatio === undefined ? picture : { ...picture, sampleAspectRatio: parseRational(fields.sampleAspectRatio) };
}

function isVideoState(value: string | undefined): value is VideoState {
  return (VIDEO_STATES as readonly (string | undefined)[]).includes(value);
}

function isOpeningState(value: string | undefined): value is OpeningState {
  return (OPENING_STATES as readonly (string | undefined)[]).includes(value);
}

/** The record from its hash, or undefined when the hash is empty or not a record we understand. */
export function recordFromFields(fields: Readonly<Record<string, string>>): VideoRecord | undefined {
  const { id, state, sourceKey, size, duration, hasAudio, createdAt } = fields;
  if (id === undefined || !isVideoState(state) || sourceKey === undefined || duration === undefined) return undefined;
  const picture = pictureFromFields(fields);
  const error = fields.errorCode === undefined ? undefined : { code: fields.errorCode, message: fields.errorMessage ?? '' };
  const { opening } = fields;
  return {
    id,
    state,
    sourceKey,
    size: Number(size ?? 0),
    duration: parseRational(duration),
    hasAudio: hasAudio === '1',
    createdAt: Number(createdAt ?? 0),
    ...(picture === undefined ? {} : { picture }),
    ...(isOpeningState(opening) ? { opening } : {}),
    ...(error === undefined ? {} : { error }),
  };
}
