/** Sample records for playlist, route and scheduler tests. */
import { rational, type VideoRecord } from '@kiln/shared';

export function sampleVideo(overrides: Partial<VideoRecord> = {}): VideoRecord {
  return {
    id: 'v1',
    state: 'ready',
    sourceKey: 'sources/v1.mp4',
    size: 1_234_567,
    duration: rational(61_394_333, 1_000_000),
    picture: { width: 1920, height: 1080, rotation: 0, frameRate: rational(30_000, 1001) },
    hasAudio: true,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function sampleAudioOnly(overrides: Partial<VideoRecord> = {}): VideoRecord {
  return { id: 'a1', state: 'ready', sourceKey: 'sources/a1.m4a', size: 54_321, duration: rational(9_984, 1000), hasAudio: true, createdAt: 1_700_000_000_000, ...overrides };
}
