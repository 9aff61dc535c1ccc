import type { Static } from 'typebox';
import { PROFILE_NAMES, toNumber } from '@kiln/shared';
import { renditionsFor } from '../playlists/renditions.js';
import type { Video } from '../schemas/videos.js';
import type { VideoRecord } from '@kiln/shared';

type VideoView = Static<typeof Video>;

/** What `GET /v1/videos/:id` answers: the record and, once ready, every profile's renditions. */
export function videoView(record: VideoRecord): VideoView {
  const renditions = record.state !== 'ready' ? [] : PROFILE_NAMES.flatMap((profile) => renditionsFor(record, profile));
  return {
    id: record.id,
    state: record.state,
    duration: toNumber(record.duration),
    size: record.size,
    renditions: renditions.map(({ id, rung, plan }) => ({
      id,
      profile: rung.profile,
      kind: rung.kind,
      ...(rung.kind === 'video' ? { width: rung.width, height: rung.height } : {}),
      ...(rung.kind === 'video' && rung.frameRate ? { frameRate: Math.round(toNumber(rung.frameRate) * 1000) / 1000 } : {}),
      codecs: rung.codecs,
      bandwidth: rung.bandwidth.peak,
      averageBandwidth: rung.bandwidth.average,
      segments: plan.segments.length,
    })),
    ...(record.opening === undefined ? {} : { opening: record.opening }),
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}
