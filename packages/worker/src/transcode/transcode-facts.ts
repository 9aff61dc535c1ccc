/**
 * The facts a transcode and its plan depend on: a view of the source's facts (`@kiln/shared`),
 * cached per video (Redis) so every run of the same video plans the same schedule.
 */
import type { AudioFacts, Rational, SourceFacts, VideoFacts } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';

export type TranscodeVideo = Pick<
  VideoFacts,
  'index' | 'codec' | 'width' | 'height' | 'rotation' | 'sampleAspectRatio' | 'frameRate' | 'interlaced' | 'highBitDepth' | 'hdr'
>;

export type TranscodeAudio = Pick<AudioFacts, 'index' | 'codec' | 'channels' | 'sampleRate' | 'duration' | 'delay'>;

export interface TranscodeFacts {
  /** Video stream's length (or the audio's, for audio-only), exact where ffprobe gives ticks. */
  readonly duration: Rational;
  readonly video?: TranscodeVideo;
  readonly audio?: TranscodeAudio;
}

/** Only the fields a run reads: the cached JSON keeps its shape whatever else the source's facts hold. */
function transcodeVideo(video: VideoFacts): TranscodeVideo {
  const { index, codec, width, height, rotation, sampleAspectRatio, frameRate, interlaced, highBitDepth, hdr } = video;
  return {
    index, codec, width, height, rotation,
    ...(sampleAspectRatio === undefined ? {} : { sampleAspectRatio }),
    frameRate, interlaced, highBitDepth, hdr,
  };
}

function transcodeAudio(audio: AudioFacts): TranscodeAudio {
  const { index, codec, channels, sampleRate, duration, delay } = audio;
  return {
    index, codec, channels, sampleRate,
    ...(duration === undefined ? {} : { duration }),
    ...(delay === undefined ? {} : { delay }),
  };
}

/** The transcode's view of a source; one without a stream to play or a known length is SOURCE_UNUSABLE. */
export function transcodeFacts(source: SourceFacts): TranscodeFacts {
  const { duration, video, audio } = source;
  if ((video === undefined && audio === undefined) || duration === undefined || duration.num <= 0) {
    throw WorkerErrors.create('SOURCE_UNUSABLE', 'the source has no video or audio stream with a known duration', {
      details: { container: source.container, video: video !== undefined, audio: audio !== undefined },
    });
  }
  return {
    duration,
    ...(video === undefined ? {} : { video: transcodeVideo(video) }),
    ...(audio === undefined ? {} : { audio: transcodeAudio(audio) }),
  };
}

/** Facts back from their JSON form (the Redis cache), checked enough to trust. */
export function parseTranscodeFacts(json: string): TranscodeFacts | undefined {
  try {
    const value = JSON.parse(json) as TranscodeFacts;
    return typeof value.duration?.num === 'number' && typeof value.duration.den === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
