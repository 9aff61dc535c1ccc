/**
 * A source's facts: ffprobe over the same input a run reads, cached in Redis per video so every
 * run (on any worker) plans the same schedule. Concurrent asks for one video share one probe.
 */
import type { Redis } from 'ioredis';
import { ffprobe, sourceFacts, type RedisKeys } from '@kiln/shared';
import { parseTranscodeFacts, transcodeFacts, type TranscodeFacts } from './transcode-facts.js';
import type { SourceOpener } from './source.js';

/** Facts do not change for a video; the TTL only keeps deleted videos from lingering forever. */
const FACTS_TTL_SECONDS = 30 * 24 * 3600;

/** The source's facts, probed over the same input a run reads (the shared ffprobe: typed, whitelisted). */
export async function probeSource(opener: SourceOpener, videoId: string): Promise<TranscodeFacts> {
  const source = await opener.open(videoId);
  try {
    const { url, protocols, formats } = source.input;
    return transcodeFacts(sourceFacts(await ffprobe(url, { protocols, formats })));
  } finally {
    await source.close();
  }
}

export class FactsCache {
  private readonly inFlight = new Map<string, Promise<TranscodeFacts>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly opener: SourceOpener,
  ) {}

  get(videoId: string): Promise<TranscodeFacts> {
    const pending = this.inFlight.get(videoId);
    if (pending !== undefined) return pending;
    const loading = this.load(videoId).finally(() => this.inFlight.delete(videoId));
    this.inFlight.set(videoId, loading);
    return loading;
  }

  private async load(videoId: string): Promise<TranscodeFacts> {
    const key = this.keys.sourceFacts(videoId);
    const cached = await this.redis.get(key);
    const parsed = cached === null ? undefined : parseTranscodeFacts(cached);
    if (parsed !== undefined) return parsed;
    const facts = await probeSource(this.opener, videoId);
    // NX: if another worker probed first, its facts stand (they are the same source).
    await this.redis.set(key, JSON.stringify(facts), 'EX', FACTS_TTL_SECONDS, 'NX');
    const stored = parseTranscodeFacts((await this.redis.get(key)) ?? '');
    return stored ?? facts;
  }
}
