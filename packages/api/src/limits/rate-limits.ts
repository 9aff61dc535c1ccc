/**
 * Request rates per API key and per client address, counted in Redis through @fastify/rate-limit
 * so that every API node adds to the same counts: upload creation and playback links (routes mark
 * themselves with `config: { limit }`), and refused tokens and keys per address. Past a limit the
 * answer is 429 RATE_LIMITED with Retry-After: the seconds until the window that refused ends.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import rateLimit from '@fastify/rate-limit';
import type { ErrorPolicy, KilnError, RedisKeys } from '@kiln/shared';
import { ApiErrors } from '../errors.js';
import { redisCounterStore } from './counter-store.js';
import { LIMITED_ACTIONS, limitMessage, limitersOf, type LimitedAction, type LimiterSpec, type RateLimits } from './limiters.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counted against this action's limits per API key and per client address. */
    limit?: LimitedAction;
  }
}

export interface RateLimitDependencies {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly limits: RateLimits;
}

type Check = ReturnType<FastifyInstance['createRateLimit']>;
type Limiter = { readonly spec: LimiterSpec; readonly check: Check };

/** Only refusals of a credential count: a player whose tokens are valid is never counted. */
function isTokenFailure(error: KilnError): boolean {
  return error.code === 'AUTH_INVALID' || (error.code.startsWith('TOKEN_') && error.httpStatus === 403);
}

/** The limiter's verdict on this request (it counts it); a refusal to throw when past the limit. */
async function verdict(limiter: Limiter, request: FastifyRequest, reply: FastifyReply): Promise<KilnError | undefined> {
  const result = await limiter.check(request);
  if (result.isAllowed || !result.isExceeded) return undefined;
  const retryAfter = Math.max(1, result.ttlInSeconds);
  void reply.header('retry-after', String(retryAfter));
  return ApiErrors.create('RATE_LIMITED', limitMessage(limiter.spec, retryAfter), { details: { limit: limiter.spec.name, retryAfterSeconds: retryAfter } });
}

/**
 * Registers the plugin over the app's Redis and the hook that counts limited routes (on the root,
 * after authentication, so `request.apiKey` is known). Returns the error review that answers an
 * address's credential refusals past its limit with 429 instead.
 */
export function installRateLimits(app: FastifyInstance, deps: RateLimitDependencies): Pick<ErrorPolicy, 'review'> {
  // A Redis error lets the request through: a limiter must not refuse what the route would serve,
  // and routes that need Redis fail on their own.
  void app.register(rateLimit, { global: false, store: redisCounterStore(deps.redis), skipOnError: true });
  const specs = limitersOf(deps.limits, deps.keys);
  let limiters: Map<LimitedAction | 'tokenFailures', Limiter[]> | undefined;
  // Made at the first request: the plugin's decorator exists once the app has loaded it.
  const limitersFor = (key: LimitedAction | 'tokenFailures') => {
    limiters ??= new Map([...LIMITED_ACTIONS, 'tokenFailures' as const].map((action) => [action, specs[action].map((spec) => ({
      spec, check: app.createRateLimit({ max: spec.max, timeWindow: spec.windowMs, keyGenerator: spec.key }),
    }))]));
    return limiters.get(key) ?? [];
  };
  app.addHook('onRequest', async (request, reply) => {
    const action = request.routeOptions.config.limit;
    if (action === undefined) return;
    const refusals = await Promise.all(limitersFor(action).map((limiter) => verdict(limiter, request, reply)));
    const refusal = refusals.find((found) => found !== undefined);
    if (refusal !== undefined) throw refusal;
  });
  return {
    review: async (error, request, reply) => {
      if (!isTokenFailure(error)) return error;
      const [limiter] = limitersFor('tokenFailures');
      const refusal = limiter === undefined ? undefined : await verdict(limiter, request, reply);
      if (refusal === undefined) return error;
      void reply.removeHeader('www-authenticate');
      return refusal;
    },
  };
}
