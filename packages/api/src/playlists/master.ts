/**
 * The master playlist (docs/architecture.md "Playlists"): one EXT-X-STREAM-INF per rendition with the
 * bandwidth the shared ladder declares, CODECS, and for video RESOLUTION and FRAME-RATE.
 */
import type { Rung } from '@kiln/shared';
import { formatFrameRate } from '@kiln/shared';

export interface MasterEntry {
  readonly rung: Rung;
  /** Where the variant playlist is, relative to the master's URL or absolute. */
  readonly uri: string;
}

function streamInfAttributes(rung: Rung): string[] {
  const attributes = [
    `BANDWIDTH=${rung.bandwidth.peak}`,
    `AVERAGE-BANDWIDTH=${rung.bandwidth.average}`,
    `CODECS="${rung.codecs}"`,
  ];
  if (rung.kind === 'video') {
    attributes.push(`RESOLUTION=${rung.width}x${rung.height}`);
    if (rung.frameRate !== undefined) attributes.push(`FRAME-RATE=${formatFrameRate(rung.frameRate)}`);
  }
  return attributes;
}

/** The master playlist text, variants in the order given (the start variant first: `startFirst`). */
export function renderMasterPlaylist(entries: readonly MasterEntry[]): string {
  if (entries.length === 0) throw new RangeError('a master playlist needs at least one variant');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const entry of entries) {
    lines.push(`#EXT-X-STREAM-INF:${streamInfAttributes(entry.rung).join(',')}`, entry.uri);
  }
  return `${lines.join('\n')}\n`;
}
