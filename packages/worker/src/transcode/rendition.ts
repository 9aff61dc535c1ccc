/**
 * Renditions as the worker names them: `{profile}-{rung}` (`legacy-180p`, `desktop-1080p`,
 * `mobile-audio-128k`), one per device profile and ladder rung, since profiles encode differently.
 * A rendition's plan is the shared schedule at the rung's frame rate, the same the API declares.
 */
import {
  chooseLadder, isProfileName, planAudioSchedule, planVideoSchedule,
  type LadderSource, type ProfileName, type Rung, type SegmentPlan,
} from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { TranscodeFacts } from './transcode-facts.js';
import { AUDIO_SAMPLE_RATE } from './ffmpeg-args.js';

export interface Rendition {
  readonly id: string;
  readonly profile: ProfileName;
  readonly rung: Rung;
  readonly plan: SegmentPlan;
}

export function renditionId(profile: ProfileName, rungId: string): string {
  return `${profile}-${rungId}`;
}

export function ladderSource(facts: TranscodeFacts): LadderSource {
  const video = facts.video;
  if (video === undefined) return { audioOnly: true };
  return {
    width: video.width,
    height: video.height,
    rotation: video.rotation,
    frameRate: video.frameRate,
    hasAudio: facts.audio !== undefined,
    ...(video.sampleAspectRatio === undefined ? {} : { sampleAspectRatio: video.sampleAspectRatio }),
  };
}

function planFor(facts: TranscodeFacts, rung: Rung): SegmentPlan {
  if (rung.kind === 'audio') return planAudioSchedule(facts.duration, { sampleRate: AUDIO_SAMPLE_RATE });
  if (rung.frameRate === undefined) throw WorkerErrors.create('SOURCE_UNUSABLE', 'the source has no known frame rate');
  return planVideoSchedule(facts.duration, rung.frameRate);
}

/** Every rendition of a source, lowest first, for one profile. */
export function renditionsFor(facts: TranscodeFacts, profile: ProfileName): Rendition[] {
  return chooseLadder(ladderSource(facts), profile).map((rung) => ({
    id: renditionId(profile, rung.id), profile, rung, plan: planFor(facts, rung),
  }));
}

/** The rendition called `id` for this source, or RENDITION_UNKNOWN. */
export function findRendition(facts: TranscodeFacts, id: string): Rendition {
  const profile = id.slice(0, Math.max(0, id.indexOf('-')));
  const found = isProfileName(profile) ? renditionsFor(facts, profile).find((rendition) => rendition.id === id) : undefined;
  if (found === undefined) throw WorkerErrors.create('RENDITION_UNKNOWN', `this video has no rendition ${JSON.stringify(id)}`);
  return found;
}
