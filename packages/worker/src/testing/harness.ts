/**
 * Test helpers for the worker: a small moov-at-end source made with ffmpeg, a manager wired to a
 * real Redis and S3 API, segment inspection with ffprobe, and the end-of-test invariants.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import {
  connectRedis, createLogger, createRedisKeys, createS3Storage, runFfmpeg, runFfprobe, sourceObjectKey,
  type Logger, type ObjectStorage, type RedisKeys,
} from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir, type RedisService, type S3Service } from '@kiln/shared/testing';
import { TranscodeManager, type ManagerOptions } from '../manager/manager.js';
import { SegmentCache } from '../segments/cache.js';
import { FactsCache } from '../transcode/facts-cache.js';
import { ProcessRegistry } from '../transcode/processes.js';
import { startRangeServer, type RangeServer } from '../transcode/range-server.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import { storageRangeSource, type SourceOpener } from '../transcode/source.js';

export const silentLog: Logger = createLogger({ name: 'worker-test', level: 'silent' });

/** What a test source looks like; `makeSource`'s defaults when absent. */
export interface SourceShape {
  /** File name in the directory (`source.mp4`). */
  readonly name?: string;
  /** `WxH` (`320x180`). */
  readonly size?: string;
  /** Frame rate as ffmpeg takes it (`30000/1001`). */
  readonly rate?: string;
  /** Seconds of audio, when other than the video's. */
  readonly audioSeconds?: number;
  /** Audio sample rate (48000). */
  readonly sampleRate?: number;
}

/** 60 s of 320×180 at 29.97 fps with stereo AAC, moov at the end (ffmpeg's default): encodes in about a second. */
export async function makeSource(directory: string, seconds = 60, shape: SourceShape = {}): Promise<string> {
  const { name = 'source.mp4', size = '320x180', rate = '30000/1001', audioSeconds = seconds, sampleRate = 48_000 } = shape;
  const path = join(directory, name);
  await runFfmpeg([
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}:duration=${audioSeconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-b:a', '64k',
    path,
  ]);
  return path;
}

export interface Harness {
  readonly manager: TranscodeManager;
  readonly storage: ObjectStorage;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly scratch: string;
  /** Puts the test source under `sources/{video}.mp4`. */
  upload(videoId: string, path: string): Promise<void>;
  close(): Promise<void>;
}

export type HarnessOptions = Partial<Pick<ManagerOptions, 'capacity' | 'runAhead' | 'seekDistance' | 'idleMs' | 'segmentWaitMs' | 'memoryBytes' | 'preset' | 'firstSegmentAlone'>> & {
  /** 'fast-start' (default, the real path) or 'storage-range' (plain range reads, the fallback). */
  readonly source?: 'fast-start' | 'storage-range';
};

function managerOptions(options: HarnessOptions): Omit<HarnessOptions, 'source'> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'source'));
}

export async function startHarness(services: { redis: RedisService; s3: S3Service }, options: HarnessOptions = {}): Promise<Harness> {
  const { s3 } = services;
  const storage = createS3Storage({
    endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true,
  });
  const redis = connectRedis(services.redis.url);
  const keys = createRedisKeys(`t${Date.now().toString(36)}`);
  const scratch = await makeTempDir('worker-scratch');
  const processes = new ProcessRegistry(scratch, silentLog);
  const rangeServer: RangeServer = await startRangeServer(storage, silentLog);
  const opener: SourceOpener = options.source === 'storage-range' ? storageRangeSource(storage, rangeServer) : fastStartSource(storage);
  const manager = new TranscodeManager({
    capacity: 2, runAhead: 100, seekDistance: 3, idleMs: 60_000, segmentWaitMs: 30_000, memoryBytes: 64 * 1024 * 1024,
    maxRunSegments: 720, threads: 0, preset: 'ultrafast', ...managerOptions(options),
    opener, facts: new FactsCache(redis, keys, opener), cache: new SegmentCache(storage, redis, keys), processes, log: silentLog,
  });
  return {
    manager, storage, redis, keys, scratch,
    upload: async (videoId, path) => storage.put(sourceObjectKey(videoId), await readFile(path)),
    close: async () => {
      await manager.drain();
      await rangeServer.close();
      redis.disconnect();
      try {
        await assertNoLeftovers(scratch);
      } finally {
        await removeTempDir(scratch); // a failed check leaves no temp dir behind either
      }
    },
  };
}

/** The invariants every test ends with: no ffmpeg of ours running, nothing left in the scratch dir. */
export async function assertNoLeftovers(scratch: string): Promise<void> {
  const ffmpegs = (await listChildProcesses()).filter((entry) => /ffmpeg/.test(entry.commandLine));
  assert.deepEqual(ffmpegs, [], 'no ffmpeg process is left');
  assert.deepEqual(await readdir(scratch), [], 'the scratch directory is empty');
}

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps in tests). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface FrameInfo {
  readonly pts: number;
  readonly key: boolean;
  /** I, P or B. */
  readonly type: string;
}

/** Decodes a segment alone with ffprobe: its video frames (PTS in 90 kHz ticks), in order. */
export async function decodeFrames(bytes: Buffer): Promise<FrameInfo[]> {
  const { stdout } = await runFfprobe(
    ['-v', 'error', '-protocol_whitelist', 'pipe', '-select_streams', 'v:0', '-show_entries', 'frame=pts,key_frame,pict_type', '-of', 'json', 'pipe:0'],
    { input: bytes },
  );
  const parsed = JSON.parse(stdout.toString('utf8')) as { frames?: { pts?: number; key_frame?: number; pict_type?: string }[] };
  return (parsed.frames ?? []).map((frame) => ({ pts: frame.pts ?? Number.NaN, key: frame.key_frame === 1, type: frame.pict_type ?? '?' }));
}

/** Where a segment's audio ends: its last AAC packet's PTS plus its duration, in 90 kHz ticks (NaN: no audio). */
export async function audioEndTicks(bytes: Buffer): Promise<number> {
  const { stdout } = await runFfprobe(
    ['-v', 'error', '-protocol_whitelist', 'pipe', '-select_streams', 'a:0', '-show_entries', 'packet=pts,duration', '-of', 'json', 'pipe:0'],
    { input: bytes },
  );
  const packets = (JSON.parse(stdout.toString('utf8')) as { packets?: { pts?: number; duration?: number }[] }).packets ?? [];
  const end = packets.reduce((latest, packet) => Math.max(latest, (packet.pts ?? Number.NaN) + (packet.duration ?? 0)), Number.NEGATIVE_INFINITY);
  return Number.isFinite(end) ? end : Number.NaN;
}

/** PIDs of the first two TS packets: a segment must open with PAT (0) then the PMT. */
export function leadingPids(bytes: Buffer): number[] {
  const pid = (offset: number) => ((bytes[offset + 1] & 0x1f) << 8) | bytes[offset + 2];
  assert.equal(bytes[0], 0x47, 'sync byte');
  assert.equal(bytes[188], 0x47, 'second sync byte');
  return [pid(0), pid(188)];
}
