/**
 * A variant (media) playlist, complete before any encode: VOD, ENDLIST, EXTINF exact to the frame
 * from the shared schedule.
 */
import type { SegmentPlan } from '@kiln/shared';
import { extinf, targetDuration } from '@kiln/shared';

export interface VariantOptions {
  readonly plan: SegmentPlan;
  /** The master's shared target duration; at least this plan's own. */
  readonly targetDuration: number;
  /** URI of segment k, relative to the variant playlist's URL. */
  readonly segmentUri: (index: number) => string;
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
    lines.push(`#EXTINF:${extinf(segment)},`, options.segmentUri(segment.index));
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
