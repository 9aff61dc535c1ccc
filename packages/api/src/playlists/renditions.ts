/**
 * The renditions a session plays: the shared ladder for the video and profile, each with its
 * frame-exact segment plan. Everything here is pure, so playlists are right before any encode.
 */
import type { ProfileName, Rung, SegmentPlan } from '@kiln/shared';
import { chooseLadder, ladderSource, planAudioSchedule, planVideoSchedule, targetDuration, type VideoRecord } from '@kiln/shared';

/** AAC output sample rate of every rendition (the worker encodes at 48 kHz). */
export const AUDIO_SAMPLE_RATE = 48_000;

export interface Rendition {
  /** `mobile-360p`: unique across profiles, because the same size differs in codec settings. */
  readonly id: string;
  readonly rung: Rung;
  readonly plan: SegmentPlan;
}

export function renditionId(rung: Rung): string {
  return `${rung.profile}-${rung.id}`;
}

function planFor(record: VideoRecord, rung: Rung): SegmentPlan {
  if (rung.kind === 'audio') return planAudioSchedule(record.duration, { sampleRate: AUDIO_SAMPLE_RATE });
  const frameRate = rung.frameRate ?? record.picture?.frameRate;
  if (frameRate === undefined) throw new RangeError(`video ${record.id} has no frame rate`);
  return planVideoSchedule(record.duration, frameRate);
}

/** Every rendition `profile` allows and the source supports, lowest first. */
export function renditionsFor(record: VideoRecord, profile: ProfileName): Rendition[] {
  return chooseLadder(ladderSource(record), profile).map((rung) => ({ id: renditionId(rung), rung, plan: planFor(record, rung) }));
}

/**
 * One TARGETDURATION for every variant of a master (Apple 6.2.4 wants them equal, so a switch
 * never meets a longer segment than announced): the largest of the renditions' own.
 */
export function sharedTargetDuration(renditions: readonly Pick<Rendition, 'plan'>[]): number {
  return renditions.reduce((largest, rendition) => Math.max(largest, targetDuration(rendition.plan)), 1);
}
