/**
 * A local file's fast-start view written to another path: what `kiln faststart IN OUT` does, and
 * what the bench times (with /dev/null as OUT), so both run the same code.
 */
import { open } from 'node:fs/promises';
import { openFastStartView, type FastStartView } from './open.js';
import { countingReader, fileRangeReader, type ReadStats } from './range-reader.js';
import type { WriteViewOptions } from './write-view.js';

export interface FastStartFileCopy {
  readonly view: FastStartView;
  /** What it took to open the view (find and read the moov). */
  readonly opened: ReadStats;
  readonly readsBeforeFirstByte: number;
  readonly bytesWritten: number;
}

/** OUT is created only once IN has opened as a view: a broken IN (a typed error) leaves no OUT behind. */
export async function writeFastStartFile(inputPath: string, outputPath: string, options: Pick<WriteViewOptions, 'chunkBytes' | 'readAhead'> = {}): Promise<FastStartFileCopy> {
  const file = await fileRangeReader(inputPath);
  try {
    const reader = countingReader(file);
    const view = await openFastStartView(reader);
    const opened = { ...reader.stats };
    let readsBeforeFirstByte = reader.stats.reads;
    const output = await open(outputPath, 'w');
    try {
      const onFirstByte = () => (readsBeforeFirstByte = reader.stats.reads);
      const bytesWritten = await view.writeTo(output.fd, { ...options, onFirstByte });
      return { view, opened, readsBeforeFirstByte, bytesWritten };
    } finally {
      await output.close();
    }
  } finally {
    await file.close();
  }
}
