/**
 * The variant a session starts on, chosen by the server and listed first in the master playlist:
 * players start on the first variant listed (hls.js, AVPlayer, ExoPlayer), so a list ordered lowest
 * first starts every viewer on the cellular rung and has the player switch up, one cold encode per
 * rendition it passes through (docs/architecture.md "Playlists").
 */
import type { ProfileName } from '@kiln/shared';
import type { Rendition } from './renditions.js';

/**
 * Bit/s assumed for a client that gives no hint: what the devices of each profile commonly carry.
 * The desktop one fits a 1080p rung, the mobile one a 720p rung, the legacy one 360p.
 */
export const DEFAULT_START_BANDWIDTH: Readonly<Record<ProfileName, number>> = {
  legacy: 1_500_000,
  mobile: 5_000_000,
  desktop: 8_000_000,
};

export interface StartHints {
  /** Bit/s the client expects to carry (declared peaks are compared with it). */
  readonly bandwidth: number;
  /** Ids of the renditions whose first segment is cached. */
  readonly cached: ReadonlySet<string>;
}

/**
 * The start: the highest rendition whose declared peak fits the bandwidth (the lowest when none
 * fits); when that one's first segment is not cached and the one just below it is, the one below,
 * which plays without waiting for an encode. `renditions` are lowest first, as the ladder gives them.
 */
export function startRendition<R extends Pick<Rendition, 'id' | 'rung'>>(renditions: readonly R[], hints: StartHints): R | undefined {
  const fitting = renditions.filter((rendition) => rendition.rung.bandwidth.peak <= hints.bandwidth);
  const best = fitting.at(-1) ?? renditions[0];
  const below = fitting.at(-2);
  if (best !== undefined && below !== undefined && !hints.cached.has(best.id) && hints.cached.has(below.id)) return below;
  return best;
}

/** The renditions with the start first, then the rest lowest first. */
export function startFirst<R extends Pick<Rendition, 'id' | 'rung'>>(renditions: readonly R[], hints: StartHints): R[] {
  const start = startRendition(renditions, hints);
  return start === undefined ? [] : [start, ...renditions.filter((rendition) => rendition !== start)];
}
