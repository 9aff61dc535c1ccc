/**
 * A variant (media) playlist, complete before any encode: VOD, ENDLIST, EXTINF exact to the frame
 * from the shared schedule. Segment URIs are their file names (`{n}.ts`), relative to the playlist.
 */
import type { SegmentPlan } from '@kiln/shared';
import { extinf, segmentFileName, targetDuration } from '@kiln/shared';

export interface VariantOptions {
  readonly plan: SegmentPlan;
  /** The master's shared target duration; at least this plan's own. */
  readonly targetDuration: number;
}

export function renderVariantPlaylist(options: VariantOptions): string {
  const { plan } = options;
  const own = targetDuration(plan);
  if (options.targetDuration < own) {
    throw new RangeError(`target duration ${options.targetDuration} is below the longest segment (${own})`);
  }
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${options.targetDuration}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  for (const segment of plan.segments) {
    lines.push(`#EXTINF:${extinf(segment)},`, segmentFileName(segment.index));
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
