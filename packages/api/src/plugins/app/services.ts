/**
 * The API's services, built once per app from its external dependencies (Redis, object storage,
 * the worker client) and handed to the routes.
 */
import type { Redis } from 'ioredis';
import type { ObjectStorage, RedisKeys, SigningKey, TokenSecrets } from '@kiln/shared';
import type { ApiMetrics } from '../../metrics/metrics.js';
import { createScheduler, type Scheduler } from '../../scheduling/scheduler.js';
import { createSegmentRouter, type SegmentRouter } from '../../segments/segment-router.js';
import { createPlaybackTokens, type PlaybackTokens } from '../../tokens/playback-tokens.js';
import { createVideoRepository, type VideoRepository } from '../../videos/repository.js';
import type { WorkerClient } from '../../workers/client.js';

export interface PlaybackSettings {
  /** Base URL players use; absent: the request's own origin. */
  readonly publicUrl?: string;
  readonly playbackLinkLifetimeMs: number;
  readonly sessionLifetimeMs: number;
  readonly slotReservationTtlMs: number;
}

export interface PlaybackDependencies {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  readonly tokenSecrets: TokenSecrets;
  /** Keys applications sign playback links with; they verify links only. */
  readonly playbackSigningKeys?: readonly SigningKey[];
  readonly workers: WorkerClient;
  readonly settings: PlaybackSettings;
  /** Only tests set it. */
  readonly now?: () => Date;
}

export interface PlaybackServices {
  readonly videos: VideoRepository;
  readonly tokens: PlaybackTokens;
  readonly scheduler: Scheduler;
  readonly segments: SegmentRouter;
  readonly metrics: ApiMetrics;
  readonly settings: PlaybackSettings;
  readonly now: () => Date;
}

export function createPlaybackServices(deps: PlaybackDependencies, metrics: ApiMetrics, log: { warn(details: object, message: string): void }): PlaybackServices {
  const now = deps.now ?? (() => new Date());
  const { redis, keys } = deps;
  const scheduler = createScheduler({
    redis,
    keys,
    reservationTtlMs: deps.settings.slotReservationTtlMs,
    onDecision: (decision) => metrics.schedulingDecisions.inc({ decision }),
  });
  return {
    videos: createVideoRepository(redis, keys),
    tokens: createPlaybackTokens({ redis, keys, secrets: deps.tokenSecrets, signingKeys: deps.playbackSigningKeys, now }),
    scheduler,
    segments: createSegmentRouter({ storage: deps.storage, redis, keys, scheduler, workers: deps.workers, log, now }),
    metrics,
    settings: deps.settings,
    now,
  };
}
