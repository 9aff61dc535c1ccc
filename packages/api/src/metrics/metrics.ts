/**
 * Prometheus metrics (`/metrics`): request latency by route, segment cache hits and misses, tokens
 * refused by reason, scheduling decisions. One registry per app, so tests can build many apps.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly segmentCache: Counter<'result'>;
  readonly tokensRefused: Counter<'reason'>;
  readonly schedulingDecisions: Counter<'decision'>;
}

export function createApiMetrics(options: { readonly processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'kiln_api_' });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'kiln_api_request_duration_seconds',
      help: 'Time to answer a request, by route pattern (never the raw URL: tokens would explode the label set).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    segmentCache: new Counter({ name: 'kiln_api_segment_cache_total', help: 'Segment requests by cache result (hit, miss).', labelNames: ['result'], registers: [registry] }),
    tokensRefused: new Counter({ name: 'kiln_api_tokens_refused_total', help: 'Tokens refused, by error code.', labelNames: ['reason'], registers: [registry] }),
    schedulingDecisions: new Counter({
      name: 'kiln_api_scheduling_decisions_total',
      help: 'Worker picks by outcome (sticky, assigned, switched, none).',
      labelNames: ['decision'],
      registers: [registry],
    }),
  };
}
