/**
 * Crafted uploads that try to make ffmpeg read something other than themselves, and the canary
 * that tells whether it did: a small MPEG-TS whose H.264 carries a marker string (so a read of it
 * that gets copied anywhere can be found by its bytes), kept beside the inputs and served by a
 * loopback HTTP server that records every request it gets.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runFfmpeg } from '@kiln/shared';

export interface Canary {
  /** The marker inside the canary's video: its presence in an output means the canary was read. */
  readonly marker: string;
  /** The canary file on disk (`canary.ts` in the inputs' directory). */
  readonly file: string;
  /** `http://127.0.0.1:PORT`: answers every request with the canary's bytes. */
  readonly origin: string;
  /** Every request the server got, as `METHOD /path`. */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface HostileInput {
  readonly name: string;
  readonly path: string;
}

/** Writes the canary into `dir` and starts its server on a free loopback port. */
export async function startCanary(dir: string): Promise<Canary> {
  const marker = `KILN-CANARY-${randomBytes(8).toString('hex')}`;
  const file = join(dir, 'canary.ts');
  await runFfmpeg([
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=duration=1:size=64x48:rate=10',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    // A user-data SEI (any UUID) in the bitstream: a stream copy keeps it byte for byte.
    '-bsf:v', `h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+${marker}`,
    '-f', 'mpegts', file,
  ]);
  const bytes = await readFile(file);
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? '?'} ${request.url ?? ''}`);
    response.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': String(bytes.length) }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    marker, file, origin: `http://127.0.0.1:${port}`, requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const playlist = (segment: string): string =>
  ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', '#EXTINF:1.0,', segment, '#EXT-X-ENDLIST', ''].join('\n');

const manifest = (baseUrl: string): string => [
  '<?xml version="1.0"?>',
  '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S" minBufferTime="PT1S"',
  '  profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">',
  '  <Period><AdaptationSet mimeType="video/mp2t"><Representation id="1" bandwidth="100000">',
  `    <BaseURL>${baseUrl}</BaseURL>`,
  '  </Representation></AdaptationSet></Period>',
  '</MPD>', '',
].join('\n');

/** A relative name: the concat demuxer's safe mode refuses absolute ones by itself. */
const ffconcat = "ffconcat version 1.0\nfile 'canary.ts'\n";

/** The crafted files' contents, by name; each one, opened without a demuxer list, reads the canary. */
export function hostileContents(canary: Canary): ReadonlyMap<string, string> {
  return new Map([
    ['hls-local.m3u8', playlist(canary.file)],
    ['hls-local-disguised.mp4', playlist(canary.file)],
    ['hls-http.m3u8', playlist(`${canary.origin}/canary.ts`)],
    ['hls-http-disguised.mp4', playlist(`${canary.origin}/canary.ts`)],
    ['concat.ffconcat', ffconcat],
    ['concat-disguised.mp4', ffconcat],
    ['dash-local.mpd', manifest(canary.file)],
    ['dash-http.mpd', manifest(`${canary.origin}/canary.ts`)],
  ]);
}

/**
 * Writes every crafted input into the canary's directory, and an image-sequence pattern name
 * (`img%03d.png`, a file ffmpeg's image2 demuxer takes as "img001.png, img002.png…", both present).
 */
export async function writeHostileInputs(dir: string, canary: Canary): Promise<HostileInput[]> {
  const inputs: HostileInput[] = [];
  for (const [name, text] of hostileContents(canary)) {
    await writeFile(join(dir, name), text);
    inputs.push({ name, path: join(dir, name) });
  }
  const frame = join(dir, 'img001.png');
  await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1', frame]);
  await copyFile(frame, join(dir, 'img002.png'));
  await writeFile(join(dir, 'img%03d.png'), 'not a picture\n');
  inputs.push({ name: 'img%03d.png', path: join(dir, 'img%03d.png') });
  return inputs;
}

/** True when `output` holds the canary's marker: the canary was read and its bytes came out. */
export function holdsCanary(output: Buffer | string, canary: Canary): boolean {
  return (typeof output === 'string' ? Buffer.from(output) : output).includes(canary.marker);
}
