import { Type } from 'typebox';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable SCREAMING_SNAKE code clients may depend on.' }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

export const ProfileName = Type.Union([Type.Literal('legacy'), Type.Literal('mobile'), Type.Literal('desktop')], {
  description: 'Device profile: legacy (Baseline ≤ 480p), mobile (Main ≤ 720p), desktop (High ≤ 1080p).',
});

export const VideoIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) });

export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, Type.Ref('Error')]));
