/**
 * What an API key may do. Scopes nest: `playback` (read records, mint playback URLs) is within
 * `upload` (+ uploads), which is within `admin` (+ deletes, keys, operations).
 */
export const SCOPES = ['playback', 'upload', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return (SCOPES as readonly unknown[]).includes(value);
}

/** True when a key granted `granted` may use a route that needs `needed`. */
export function scopeAllows(granted: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(granted) >= SCOPES.indexOf(needed);
}
