/**
 * What a client of the upload API does, for tests and benchmarks against a test cluster: upload a
 * file, wait until it plays or its ingest has finished, ask for a playback URL; and what the cache index says about a video.
 */
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { waitFor } from '@kiln/shared/testing';
import { AS_ADMIN } from '@kiln/api/testing';

export interface UploadedVideo {
  readonly id: string;
  readonly state: string;
  readonly duration: number;
  readonly renditions: readonly { id: string; profile: string; segments: number }[];
  readonly opening?: 'making' | 'pinned';
  readonly error?: { code: string; message: string };
}

export async function uploadFile(base: string, file: string): Promise<string> {
  const response = await fetch(`${base}/v1/videos`, { method: 'POST', body: await readFile(file), headers: { ...AS_ADMIN, 'content-type': 'video/mp4' } });
  if (response.status !== 202) throw new Error(`upload of ${file}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export async function videoView(base: string, id: string): Promise<UploadedVideo> {
  return (await (await fetch(`${base}/v1/videos/${id}`, { headers: AS_ADMIN })).json()) as UploadedVideo;
}

/** The ingest has finished: refused or failed, or playable with its opening pinned (or none to make). */
export function ingestFinished(view: Pick<UploadedVideo, 'state' | 'opening'>): boolean {
  return view.state === 'failed' || (view.state === 'ready' && view.opening !== 'making');
}

/** Polls until the ingest has finished (every 100 ms, at most `attempts` times). */
export async function settledVideo(base: string, id: string, attempts = 600): Promise<UploadedVideo> {
  return pollVideo(base, id, ingestFinished, attempts);
}

/** Polls until the video plays (`ready`, its opening perhaps still being made) or has failed. */
export async function playableVideo(base: string, id: string, attempts = 600): Promise<UploadedVideo> {
  return pollVideo(base, id, (view) => view.state === 'ready' || view.state === 'failed', attempts);
}

async function pollVideo(base: string, id: string, until: (view: UploadedVideo) => boolean, attempts: number): Promise<UploadedVideo> {
  let last: UploadedVideo | undefined;
  await waitFor(`video ${id} to settle`, async () => {
    last = await videoView(base, id);
    return until(last);
  }, attempts);
  if (last === undefined) throw new Error('no answer');
  return last;
}

/** A playback link; without `profile`, the User-Agent of the player that opens it picks one (as for a page's backend asking on a viewer's behalf). */
export async function playbackUrl(base: string, id: string, profile?: string): Promise<string> {
  const body = JSON.stringify(profile === undefined ? {} : { profile });
  const link = await fetch(`${base}/v1/videos/${id}/playback`, { method: 'POST', headers: { ...AS_ADMIN, 'content-type': 'application/json' }, body });
  if (link.status !== 200 && link.status !== 201) throw new Error(`playback link for ${id}: HTTP ${link.status}`);
  return ((await link.json()) as { url: string }).url;
}

export interface IndexedSegment {
  readonly index: number;
  readonly bytes: number;
  readonly pinned: boolean;
  readonly created: number;
}

/** The cache index of one rendition, by segment number. */
export async function indexedSegments(redis: Redis, keys: RedisKeys, videoId: string, renditionId: string): Promise<IndexedSegment[]> {
  const fields = await redis.hgetall(keys.segmentIndex(videoId, renditionId));
  return Object.entries(fields)
    .map(([index, raw]) => {
      const entry = JSON.parse(raw) as { bytes: number; pinned?: boolean; created: number };
      return { index: Number(index), bytes: entry.bytes, pinned: entry.pinned === true, created: entry.created };
    })
    .sort((a, b) => a.index - b.index);
}

/** `kiln_api_segment_cache_total` from the API's `/metrics`, by result. */
export async function segmentCacheCounts(base: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${base}/metrics`, { headers: AS_ADMIN })).text();
  const count = (result: string) => Number(new RegExp(`^kiln_api_segment_cache_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}
