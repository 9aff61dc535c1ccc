/**
 * What a fast-start view accepted from any input must be: the source byte for byte when it is
 * not relocated; otherwise a file whose moov comes before its media, whose chunk offsets are the
 * source's mapped by the plan and still find the source's bytes. The same bytes whichever way the
 * view is consumed (range reads, the stream, a file descriptor).
 */
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { parseMoov, readChunkOffsets, type ParsedMoov } from '../source/moov.js';
import type { FastStartView } from '../source/open.js';
import { bufferRangeReader } from '../source/range-reader.js';
import { scanTopLevel } from '../source/scan.js';

export type ViewConsumer = { readonly kind: 'stream'; readonly chunkBytes: number } | { readonly kind: 'write'; readonly path: string };

/** Reads all of the view and checks it against the source; resolves with the view's bytes. */
export async function checkView(view: FastStartView, source: Buffer, consumer: ViewConsumer): Promise<Buffer> {
  const bytes = await view.read(0, view.plan.size);
  assert.equal(bytes.length, view.plan.size, 'the view reads back at its planned size');
  if (view.plan.relocated) await checkRelocated(view, source, bytes);
  else assert.ok(bytes.equals(source), 'a view that is not relocated is the source');
  assert.ok((await consume(view, consumer)).equals(bytes), `${consumer.kind}: the same bytes as read()`);
  return bytes;
}

async function checkRelocated(view: FastStartView, source: Buffer, bytes: Buffer): Promise<void> {
  assert.equal(view.plan.size, view.sourceSize - view.moovSize + view.viewMoovSize, 'the view differs from the source by the moov growth');
  const scanned = await scanTopLevel(bufferRangeReader(bytes));
  assert.ok(scanned.boxes.every((box) => box.type !== 'mdat'), 'the view has its moov before any mdat');
  const sourceMoov = parseMoov((await scanTopLevel(bufferRangeReader(source))).moovBytes);
  const viewMoov = parseMoov(scanned.moovBytes);
  const sourceOffsets = allChunkOffsets(sourceMoov);
  const viewOffsets = allChunkOffsets(viewMoov);
  assert.deepEqual(viewOffsets, sourceOffsets.map((offset) => view.plan.sourceToView(offset)), 'chunk offsets mapped by the plan');
  for (let i = 0; i < viewOffsets.length; i++) {
    assert.equal(bytes[viewOffsets[i]], source[sourceOffsets[i]], `chunk ${i} finds its source byte`);
  }
}

const allChunkOffsets = (moov: ParsedMoov): number[] => moov.tables.flatMap((table) => readChunkOffsets(moov, table));

async function consume(view: FastStartView, consumer: ViewConsumer): Promise<Buffer> {
  if (consumer.kind === 'stream') return buffer(view.stream({ chunkBytes: consumer.chunkBytes }));
  const file = await open(consumer.path, 'w');
  const written = await view.writeTo(file.fd).finally(() => file.close());
  assert.equal(written, view.plan.size, 'writeTo reports the bytes it wrote');
  return readFile(consumer.path);
}
