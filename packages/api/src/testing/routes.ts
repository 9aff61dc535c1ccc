/**
 * The app's routes as the security suite sees them: every route fastify registers, with the
 * scope it declares, so a route added later is attacked without anyone listing it here.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Scope } from '../auth/scopes.js';

export interface RouteInfo {
  readonly method: string;
  /** As registered: `/v1/videos/:id`, `/docs/static/*`. */
  readonly url: string;
  readonly scope: Scope | undefined;
}

/**
 * Starts recording routes; call before `ready()`. The getter answers what was registered since:
 * the API registers its routes in a plugin that loads at `ready()`.
 */
export function recordRoutes(app: FastifyInstance): () => RouteInfo[] {
  const seen: RouteInfo[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) seen.push({ method, url: route.url, scope: route.config?.scope });
  });
  return () => [...seen];
}

/** `/v1/videos/:id` → `/v1/videos/:`: the router merges parameter names, so compare without them. */
export function routeShape(url: string): string {
  return url.replace(/:[^/]+/g, ':');
}

/**
 * Method and path of every route in `printRoutes({ commonPrefix: false })` output, whose tree
 * prints each node as `├── segment (GET, HEAD)` indented four columns per level under its parent.
 */
export function parsePrintedRoutes(tree: string): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const parents: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (match === null) continue;
    const depth = match[1].length / 4;
    const url = (parents[depth - 1] ?? '') + match[2];
    parents[depth] = url;
    parents.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  return routes;
}

/** The names of a route's parameters, `*` included for a wildcard. */
export function paramNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((match) => match[1] ?? '*');
}

/** The route's URL with each parameter replaced by its value (already URL-encoded as wanted). */
export function fillParams(url: string, values: Readonly<Record<string, string>>): string {
  return url.replace(/:([A-Za-z0-9_]+)|\*/g, (_whole, name: string | undefined) => values[name ?? '*'] ?? 'x');
}

export const isManagementRoute = (url: string): boolean => url === '/v1' || url.startsWith('/v1/');
