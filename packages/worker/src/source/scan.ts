import { FIRST_BOX_TYPES, parseBoxHeader, type BoxHeader } from './boxes.js';
import { SourceErrors } from './errors.js';
import type { RangeReader } from './range-reader.js';

/** The first read: ftyp, the usual `free`/`wide` and the mdat header (or a whole moov-first moov). */
export const PREFIX_READ_BYTES = 64 * 1024;
/** When the rest of the file is this small, read all of it at once: it is most likely the moov. */
export const TAIL_READ_BYTES = 1024 * 1024;
/** Otherwise read this much at a box start: its header, and the moov itself when it is small. */
export const PROBE_READ_BYTES = 64 * 1024;
/** A moov for hours of video is tens of MB; far more is an attack or garbage. */
export const MAX_MOOV_BYTES = 256 * 1024 * 1024;
/**
 * A file has a handful of top-level boxes (a fragmented one two per fragment). A flood of tiny
 * boxes would otherwise cost a header object and possibly a read each: memory and time many
 * times the file's size.
 */
export const MAX_TOP_LEVEL_BOXES = 100_000;

export interface ScannedSource {
  readonly size: number;
  /** Top-level boxes in file order, up to the moov when it comes before any media (nothing after it was read). */
  readonly boxes: readonly BoxHeader[];
  readonly moov: BoxHeader;
  readonly moovBytes: Buffer;
  /** The first bytes of the source as read; the view serves its leading boxes from here. */
  readonly prefix: Buffer;
  /** A `moof` was seen: the file is fragmented and passed through as it is. */
  readonly fragmented: boolean;
}

/**
 * The first read and the latest one, so that a header or a moov already fetched is not fetched
 * again. The scan only moves forward, so an older window is never asked for again: keeping only
 * these two bounds the lookups however many reads a file takes.
 */
class WindowCache {
  private readonly windows: { start: number; bytes: Buffer }[] = [];

  constructor(private readonly reader: RangeReader) {}

  async load(start: number, length: number): Promise<Buffer> {
    const bytes = await this.reader.read(start, length);
    this.windows.splice(Math.min(this.windows.length, 1), 1, { start, bytes });
    return bytes;
  }

  /**
   * The most cached bytes from `start` on (possibly fewer than wanted), or an empty buffer. The
   * window reaching furthest wins: a header cut by the end of one window was read again in full.
   */
  cachedFrom(start: number): Buffer {
    let best: Buffer = Buffer.alloc(0);
    for (const window of this.windows) {
      const end = window.start + window.bytes.length;
      if (start >= window.start && start < end && end - start > best.length) best = window.bytes.subarray(start - window.start);
    }
    return best;
  }

  /** Exactly `length` bytes at `start`, reading only the part not cached yet. */
  async bytes(start: number, length: number): Promise<Buffer> {
    const cached = this.cachedFrom(start);
    if (cached.length >= length) return cached.subarray(0, length);
    const rest = await this.load(start + cached.length, length - cached.length);
    return cached.length === 0 ? rest : Buffer.concat([cached, rest]);
  }
}

/**
 * Walks the top-level boxes with as few range reads as the layout allows: one for a moov-first
 * file whose moov fits in the first 64 KiB, two for a typical moov-at-end file (the prefix, then the
 * tail), three when the moov at the end is larger than 1 MiB.
 */
export async function scanTopLevel(reader: RangeReader): Promise<ScannedSource> {
  const { size } = reader;
  if (size < 8) throw SourceErrors.create('SOURCE_NOT_MP4', `the source is only ${size} bytes`, { details: { size } });
  const cache = new WindowCache(reader);
  const prefix = await cache.load(0, Math.min(size, PREFIX_READ_BYTES));
  const boxes: BoxHeader[] = [];
  let moov: { header: BoxHeader; bytes: Buffer } | undefined;
  let sawMedia = false;
  let fragmented = false;
  for (let offset = 0; offset < size; ) {
    if (boxes.length === MAX_TOP_LEVEL_BOXES) throw tooManyBoxes(offset);
    const header = await headerAt(cache, offset, size, boxes.length === 0);
    checkFitsInFile(header, size, moov !== undefined);
    boxes.push(header);
    if (header.type === 'moof') fragmented = true;
    if (header.type === 'mdat') sawMedia = true;
    if (header.type === 'moov') {
      if (moov !== undefined) throw SourceErrors.create('SOURCE_MOOV_INVALID', `a second moov at ${offset}`, { details: { offset } });
      moov = { header, bytes: await readMoov(cache, header) };
      if (!sawMedia) break;
    }
    offset += header.size;
  }
  if (moov === undefined) throw noMoov(boxes);
  return { size, boxes, moov: moov.header, moovBytes: moov.bytes, prefix, fragmented };
}

async function headerAt(cache: WindowCache, offset: number, size: number, first: boolean): Promise<BoxHeader> {
  let result = parseBoxHeader(cache.cachedFrom(offset), 0, offset, size);
  if (result.kind === 'need-more-data' && offset + result.bytes <= size) {
    const remaining = size - offset;
    await cache.load(offset, remaining <= TAIL_READ_BYTES ? remaining : PROBE_READ_BYTES);
    result = parseBoxHeader(cache.cachedFrom(offset), 0, offset, size);
  }
  if (result.kind === 'ok') {
    if (first && !FIRST_BOX_TYPES.has(result.header.type)) {
      throw SourceErrors.create('SOURCE_NOT_MP4', `the source starts with a '${result.header.type}' box`, { details: { type: result.header.type } });
    }
    return result.header;
  }
  if (first) throw SourceErrors.create('SOURCE_NOT_MP4', 'the source does not start with an MP4 box');
  if (result.kind === 'need-more-data') {
    throw SourceErrors.create('SOURCE_TRUNCATED', `the source ends inside a box header at ${offset}`, { details: { offset, size } });
  }
  throw SourceErrors.create('SOURCE_BOX_INVALID', result.reason, { details: { offset } });
}

/** An mdat or moov that runs past the end is a cut file; any other box that does is garbage. */
function checkFitsInFile(header: BoxHeader, size: number, moovFound: boolean): void {
  const end = header.start + header.size;
  if (end <= size) return;
  const details = { type: header.type, offset: header.start, boxSize: header.size, size };
  const message = `${header.type} at ${header.start} says ${header.size} bytes but the source ends at ${size}`;
  if ((header.type === 'mdat' || header.type === 'moov') && !moovFound) {
    throw SourceErrors.create('SOURCE_TRUNCATED', `${message}: the file was cut before the end of its moov`, { details });
  }
  throw SourceErrors.create('SOURCE_BOX_INVALID', message, { details });
}

async function readMoov(cache: WindowCache, header: BoxHeader): Promise<Buffer> {
  if (header.size > MAX_MOOV_BYTES) {
    throw SourceErrors.create('SOURCE_MOOV_TOO_LARGE', `the moov is ${header.size} bytes (at most ${MAX_MOOV_BYTES})`, {
      details: { moovSize: header.size, limit: MAX_MOOV_BYTES },
    });
  }
  return cache.bytes(header.start, header.size);
}

function tooManyBoxes(offset: number): Error {
  const message = `more than ${MAX_TOP_LEVEL_BOXES} top-level boxes before ${offset}`;
  return SourceErrors.create('SOURCE_BOX_INVALID', message, { details: { offset, limit: MAX_TOP_LEVEL_BOXES } });
}

function noMoov(boxes: readonly BoxHeader[]): Error {
  const layout = boxes.map((box) => box.type).join(' ');
  return SourceErrors.create('SOURCE_NO_MOOV', `no moov among the top-level boxes [${layout}]`, { details: { layout } });
}
