import { Type } from 'typebox';
import { ProfileName } from './common.js';

export const Rendition = Type.Object({
  id: Type.String({ description: 'As in segment URLs: profile and rung, `mobile-720p`.' }),
  profile: ProfileName,
  kind: Type.Union([Type.Literal('video'), Type.Literal('audio')]),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  frameRate: Type.Optional(Type.Number()),
  codecs: Type.String(),
  bandwidth: Type.Integer({ description: 'Declared peak bit/s (BANDWIDTH).' }),
  averageBandwidth: Type.Integer({ description: 'Average bit/s as modelled before any encode; the master playlist\'s AVERAGE-BANDWIDTH is the measured one once 7 s of the rendition (its opening) are cached.' }),
  segments: Type.Integer(),
});

export const VideoState = Type.Union([Type.Literal('uploading'), Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')], {
  description: '`ready`: playable (the upload passed inspection and its source is in place); the opening may still be in the making.',
});

export const OpeningState = Type.Union([Type.Literal('making'), Type.Literal('pinned')], {
  description: 'The pre-transcoded first segments of an ingested video: `making` (playback works; what is missing is made on demand) or `pinned` (in the cache, kept).',
});

export const UploadAccepted = Type.Object({
  id: Type.String({ description: 'The new video\'s id; follow it with `GET /v1/videos/:id`.' }),
  state: VideoState,
});

export const Video = Type.Object({
  id: Type.String(),
  state: VideoState,
  duration: Type.Number({ description: 'Seconds.' }),
  size: Type.Integer({ description: 'Bytes of the source.' }),
  renditions: Type.Array(Rendition),
  opening: Type.Optional(OpeningState),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const PlaybackRequest = Type.Object(
  {
    profile: Type.Optional(ProfileName),
    bandwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Bit/s the viewer is expected to carry; the master playlist lists first the variant that fits it. Default: by profile (8 Mb/s desktop, 5 Mb/s mobile, 1.5 Mb/s legacy).' })),
    lifetimeSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'How long the link may be opened; at most the session lifetime.' })),
    reusable: Type.Optional(Type.Boolean({ description: 'True: the link may be opened more than once until it expires (embeds).' })),
  },
  { additionalProperties: false },
);

export const PlaybackLink = Type.Object({
  url: Type.String({ description: 'The master playlist URL, holding a one-time token.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  profile: Type.Optional(Type.Union([ProfileName], { description: 'The profile the request fixed; absent when the player\'s User-Agent decides as it opens the link.' })),
});
