/**
 * What is limited, how much, and whose count a request adds to: pure descriptions the rate-limit
 * hook turns into @fastify/rate-limit checks.
 */
import type { FastifyRequest } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import type { RedisKeys } from '@kiln/shared';

/** Requests a minute (0: no limit); each count is shared by every API node through Redis. */
export interface RateLimits {
  readonly uploadsPerKey: number;
  readonly uploadsPerAddress: number;
  readonly playbackLinksPerKey: number;
  readonly playbackLinksPerAddress: number;
  /** Refused tokens and API keys per client address. */
  readonly tokenFailuresPerAddress: number;
  /** The window every count is per: a minute unless a test shortens it. */
  readonly windowMs?: number;
}

export const LIMITED_ACTIONS = ['uploads', 'playbackLinks'] as const;
export type LimitedAction = (typeof LIMITED_ACTIONS)[number];

export interface LimiterSpec {
  /** Names its counts in Redis and in the refusal's details. */
  readonly name: string;
  /** What it counts, for the refusal's message. */
  readonly what: string;
  readonly max: number;
  readonly windowMs: number;
  /** The Redis key this request's count lives at. */
  readonly key: (request: FastifyRequest) => string;
}

const MINUTE_MS = 60_000;
/** IPv6 clients are counted by /64: one host usually holds a whole /64, and could rotate within it. */
const IPV6_SUBNET = 64;

/** A client address as a Redis key part: IPv6 by its /64, with `-` for `:` (which key parts may not hold). */
export function addressSubject(ip: string): string {
  return normalizeIP(ip, IPV6_SUBNET).replaceAll(':', '-').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128);
}

export function limitersOf(limits: RateLimits, keys: RedisKeys): Record<LimitedAction | 'tokenFailures', LimiterSpec[]> {
  const windowMs = limits.windowMs ?? MINUTE_MS;
  const byKey = (name: string) => (request: FastifyRequest) => keys.rateLimit(name, request.apiKey?.id ?? 'none');
  const byAddress = (name: string) => (request: FastifyRequest) => keys.rateLimit(name, addressSubject(request.ip));
  const spec = (name: string, what: string, max: number, key: (name: string) => LimiterSpec['key']): LimiterSpec[] =>
    max > 0 ? [{ name, what, max, windowMs, key: key(name) }] : [];
  return {
    uploads: [
      ...spec('uploads-key', 'uploads started with this API key', limits.uploadsPerKey, byKey),
      ...spec('uploads-address', 'uploads started from this address', limits.uploadsPerAddress, byAddress),
    ],
    playbackLinks: [
      ...spec('playback-links-key', 'playback links made with this API key', limits.playbackLinksPerKey, byKey),
      ...spec('playback-links-address', 'playback links made from this address', limits.playbackLinksPerAddress, byAddress),
    ],
    tokenFailures: spec('token-failures-address', 'refused tokens or API keys from this address', limits.tokenFailuresPerAddress, byAddress),
  };
}

/** "too many uploads started with this API key: at most 60 per 60 s; retry in 12 s" */
export function limitMessage(spec: LimiterSpec, retryAfterSeconds: number): string {
  return `too many ${spec.what}: at most ${spec.max} per ${Math.ceil(spec.windowMs / 1000)} s; retry in ${retryAfterSeconds} s`;
}
