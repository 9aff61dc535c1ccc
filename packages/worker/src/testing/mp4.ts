/** Builders for the fast-start tests: boxes in memory, small MP4s, and ffprobe's packet lists. */
import { runFfmpeg, runFfprobe } from '@kiln/shared';
import { writeBoxHeader } from '../source/boxes.js';

export function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([writeBoxHeader(type, 8 + body.length), body]);
}

/** A box with a 16-byte header (size32 = 1) even though its size would fit in 32 bits. */
export function box64(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + body.length), 8);
  return Buffer.concat([header, body]);
}

export function stco(offsets: readonly number[]): Buffer {
  const body = Buffer.alloc(8 + 4 * offsets.length);
  body.writeUInt32BE(offsets.length, 4);
  offsets.forEach((offset, i) => body.writeUInt32BE(offset, 8 + 4 * i));
  return box('stco', body);
}

export function co64(offsets: readonly number[]): Buffer {
  const body = Buffer.alloc(8 + 8 * offsets.length);
  body.writeUInt32BE(offsets.length, 4);
  offsets.forEach((offset, i) => body.writeBigUInt64BE(BigInt(offset), 8 + 8 * i));
  return box('co64', body);
}

/** moov › trak › mdia › minf › stbl › (table), with an mvhd and an stsd stand-in so that other boxes are copied too. */
export function moovWith(...tables: Buffer[]): Buffer {
  const traks = tables.map((table) => box('trak', box('tkhd', Buffer.alloc(12)), box('mdia', box('minf', box('stbl', box('stsd', Buffer.alloc(8)), table)))));
  return box('moov', box('mvhd', Buffer.alloc(20)), ...traks);
}

export const ftyp = (brand = 'isom'): Buffer => box('ftyp', Buffer.from(`${brand}\0\0\0\0${brand}`, 'latin1'));

/** A small MP4 made by ffmpeg: testsrc2 + a sine, moov at the end unless `faststart`. */
export async function makeTestMp4(path: string, options: { seconds: number; faststart?: boolean; size?: string; bitrate?: string }): Promise<void> {
  await runFfmpeg([
    '-v', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${options.size ?? '320x180'}:rate=30`,
    '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
    '-t', String(options.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60',
    ...(options.bitrate === undefined ? [] : ['-b:v', options.bitrate]),
    '-c:a', 'aac', '-b:a', '64k',
    ...(options.faststart === true ? ['-movflags', '+faststart'] : []),
    path,
  ]);
}

export type Packet = Record<string, string | number | undefined>;

/** `ffprobe -show_packets -show_data_hash` as objects; `inputArgs` ends with the input (`-i` is not used by ffprobe). */
export async function probePackets(inputArgs: readonly string[]): Promise<Packet[]> {
  const { stdout } = await runFfprobe(['-v', 'error', '-show_packets', '-show_data_hash', 'sha256', '-of', 'json', ...inputArgs]);
  return (JSON.parse(stdout.toString('utf8')) as { packets?: Packet[] }).packets ?? [];
}

/** A source made of bytes in memory and runs of zeros: a 5 GiB file without 5 GiB anywhere. */
export function syntheticReader(parts: readonly (Buffer | { readonly zeros: number })[]): { size: number; read(offset: number, length: number): Promise<Buffer> } {
  const placed: { start: number; part: Buffer | { readonly zeros: number } }[] = [];
  let size = 0;
  for (const part of parts) {
    placed.push({ start: size, part });
    size += Buffer.isBuffer(part) ? part.length : part.zeros;
  }
  const read = (offset: number, length: number): Promise<Buffer> => {
    const out = Buffer.alloc(length);
    for (const { start, part } of placed) {
      const partLength = Buffer.isBuffer(part) ? part.length : part.zeros;
      const from = Math.max(offset, start);
      const to = Math.min(offset + length, start + partLength);
      if (from < to && Buffer.isBuffer(part)) part.copy(out, from - offset, from - start, to - start);
    }
    return Promise.resolve(out);
  };
  return { size, read };
}

/**
 * Field-by-field equality of two packet lists, except `pos`: the view's must be the source's
 * position mapped into the view.
 */
export function packetDifferences(source: readonly Packet[], view: readonly Packet[], mapPosition: (pos: number) => number | undefined): string[] {
  if (source.length !== view.length) return [`${source.length} packets in the source, ${view.length} in the view`];
  const problems: string[] = [];
  source.forEach((packet, i) => {
    const other = view[i];
    for (const key of new Set([...Object.keys(packet), ...Object.keys(other)])) {
      const expected = key === 'pos' && packet.pos !== undefined ? String(mapPosition(Number(packet.pos))) : JSON.stringify(packet[key]);
      const actual = key === 'pos' && other.pos !== undefined ? String(other.pos) : JSON.stringify(other[key]);
      if (expected !== actual && problems.length < 5) problems.push(`packet ${i} ${key}: source ${expected}, view ${actual}`);
    }
  });
  return problems;
}
