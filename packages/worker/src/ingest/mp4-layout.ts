/**
 * Top-level box types of an MP4/MOV, from box headers alone. The fast-start view stops at a
 * leading moov; ingest also needs to know whether fragments (moof) follow, because a fragmented
 * file without mehd declares a meaningless duration and is remuxed into one moov.
 */
import { MAX_TOP_LEVEL_BOXES, type RangeReader } from '../source/index.js';

/** Box types in file order; stops at a box that runs past the end or has an impossible size. */
export async function topLevelBoxTypes(reader: RangeReader): Promise<string[]> {
  const types: string[] = [];
  let offset = 0;
  while (offset + 8 <= reader.size && types.length < MAX_TOP_LEVEL_BOXES) {
    const header = await reader.read(offset, Math.min(16, reader.size - offset));
    const size32 = header.readUInt32BE(0);
    types.push(header.toString('latin1', 4, 8));
    const size = size32 === 1 && header.length >= 16 ? Number(header.readBigUInt64BE(8)) : size32 === 0 ? reader.size - offset : size32;
    if (size < 8) break;
    offset += size;
  }
  return types;
}

export const isFragmented = (types: readonly string[]): boolean => types.includes('moof');
