/**
 * `kiln sign --video ID [--profile mobile] [--ttl 10m] [--reusable] [--base-url URL]`: prints a
 * playback URL signed with a playback signing key (docs/architecture.md "Tokens"), as an
 * application's backend makes them. The key comes from KILN_SIGNING_KEY=KEYID:SECRET, never from
 * an argument, so it stays out of shell history and `ps`.
 * Exit codes: 0 printed; 2 bad usage or no usable key.
 */
import { parseArgs } from 'node:util';
import { duration, profileNameSchema, readSigningKey, signPlaybackToken, url, type Env, type ProfileName, type SigningKey } from '@kiln/shared';

const USAGE = 'usage: KILN_SIGNING_KEY=KEYID:SECRET kiln sign --video ID [--profile mobile|desktop|legacy] [--ttl 10m] [--reusable] [--base-url URL]';
/** Where `kiln up` serves the API unless told otherwise. */
const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';
const MAX_VIDEO_ID_LENGTH = 128;

export interface SignRequest {
  readonly key: SigningKey;
  readonly video: string;
  /** Absent: the player's User-Agent decides when it opens the link. */
  readonly profile?: ProfileName;
  readonly reusable: boolean;
  readonly ttlMs: number;
  /** `--base-url`, else KILN_PUBLIC_URL, else the local API. */
  readonly baseUrl: string;
}

/** The master playlist URL of a freshly signed one-time (or reusable) link, valid from `now` for `ttlMs`. */
export function signedPlaybackUrl(request: SignRequest, now: Date): string {
  const { key, video, profile, reusable, ttlMs, baseUrl } = request;
  const token = signPlaybackToken(key, { video, reusable, ...(profile === undefined ? {} : { profile }) }, { expiresAt: new Date(now.getTime() + ttlMs) });
  return `${baseUrl.replace(/\/+$/, '')}/play/${token}/master.m3u8`;
}

/** The request the arguments and environment describe, or what is wrong with them (never the secret). */
export function readSignRequest(args: string[], env: Env): SignRequest | { readonly problem: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        video: { type: 'string' }, profile: { type: 'string' }, ttl: { type: 'string', default: '10m' },
        reusable: { type: 'boolean', default: false }, 'base-url': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  const { video, profile, ttl, reusable } = values;
  if (video === undefined || video.length === 0 || video.length > MAX_VIDEO_ID_LENGTH) {
    return { problem: `--video: a video id of 1 to ${MAX_VIDEO_ID_LENGTH} characters is required` };
  }
  const profileName = profileNameSchema.optional().safeParse(profile);
  if (!profileName.success) return { problem: '--profile: must be mobile, desktop or legacy' };
  const ttlMs = duration(1000).safeParse(ttl);
  if (!ttlMs.success) return { problem: '--ttl: must be a duration of at least 1s, like 30s, 10m or 6h' };
  // An empty variable means unset, as in the configuration.
  const baseUrl = values['base-url'] ?? (env.KILN_PUBLIC_URL === '' ? undefined : env.KILN_PUBLIC_URL) ?? DEFAULT_BASE_URL;
  if (!url(['http', 'https']).safeParse(baseUrl).success) return { problem: '--base-url (or KILN_PUBLIC_URL): must be an http(s) URL' };
  if (env.KILN_SIGNING_KEY === undefined || env.KILN_SIGNING_KEY === '') return { problem: 'KILN_SIGNING_KEY: is required (KEYID:SECRET)' };
  const key = readSigningKey(env.KILN_SIGNING_KEY);
  if ('problem' in key) return { problem: `KILN_SIGNING_KEY: ${key.problem}` };
  return { key: key.key, video, reusable, ttlMs: ttlMs.data, baseUrl, ...(profileName.data === undefined ? {} : { profile: profileName.data }) };
}

export interface SignCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Env;
  readonly now: () => Date;
}

const processIo: SignCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => new Date() };

export function signCommand(args: string[], io: SignCommandIo = processIo): Promise<number> {
  const request = readSignRequest(args, io.env);
  if ('problem' in request) {
    io.stderr.write(`kiln sign: ${request.problem}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  io.stdout.write(`${signedPlaybackUrl(request, io.now())}\n`);
  return Promise.resolve(0);
}
