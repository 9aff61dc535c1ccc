/**
 * What ingest writes once the source MP4 is in place: the transcode facts every worker plans from
 * (Redis, `RedisKeys.sourceFacts`) and the record's playback fields, from the same numbers, so
 * the API's playlists and the workers' segments follow one schedule.
 */
import { sourceFacts, videoPicture, type ProbeResult, type ProbeStream, type VideoRecord } from '@kiln/shared';
import { transcodeFacts, type TranscodeFacts } from '../transcode/transcode-facts.js';
import type { IngestPlan } from '../ingest/index.js';

/**
 * The facts of the MP4 workers will read (its stream indexes, rotation, exact duration), with the
 * frame rate ingest chose: the plan's rate is the one the source was measured and normalized at.
 */
export function factsFromPlan(probe: ProbeResult, plan: IngestPlan, kept: 'same-file' | 'normalized'): TranscodeFacts {
  const facts = transcodeFacts(sourceFacts({ ...probe, streams: probe.streams.filter((stream) => keeps(plan, kept, stream)) }));
  if (plan.video === undefined || facts.video === undefined) return facts;
  return { ...facts, video: { ...facts.video, frameRate: plan.video.frameRate } };
}

/**
 * The streams ingest chose. An untouched source may hold several audio tracks or cover art: only
 * the planned indexes count. A normalized MP4 holds what was planned, but an audio-only plan never
 * has video (a cover picture copied along is not a picture to stream).
 */
function keeps(plan: IngestPlan, kept: 'same-file' | 'normalized', stream: ProbeStream): boolean {
  const type = stream.codec_type;
  if (type === 'video') {
    if (plan.video === undefined) return false;
    return kept === 'normalized' || stream.index === plan.video.index;
  }
  if (type === 'audio') {
    if (plan.audio === undefined) return false;
    return kept === 'normalized' || stream.index === plan.audio.index;
  }
  return false;
}

/** The record's playback fields from the facts (the same ladder input the worker uses). */
export function recordFromFacts(record: VideoRecord, facts: TranscodeFacts, size: number): VideoRecord {
  const { video } = facts;
  const base: VideoRecord = { id: record.id, state: record.state, sourceKey: record.sourceKey, createdAt: record.createdAt, size, duration: facts.duration, hasAudio: facts.audio !== undefined };
  return video === undefined ? base : { ...base, picture: videoPicture(video) };
}
