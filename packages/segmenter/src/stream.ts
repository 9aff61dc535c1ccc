/**
 * The async-iterable adapter: pulls chunks from any async iterable (a Node Readable is one)
 * only when the consumer asks for the next segment, so a slow consumer slows the reads
 * (backpressure) and at most one chunk's worth of finished segments waits in memory.
 */
import { Segmenter } from './segmenter.js';
import type { Segment, SegmenterOptions } from './segment.js';

/** Pass a Segmenter instead of options to read its `stats` afterwards. */
export async function* segmentStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: SegmenterOptions | Segmenter,
): AsyncGenerator<Segment, void, undefined> {
  const segmenter = options instanceof Segmenter ? options : new Segmenter(options);
  for await (const chunk of source) {
    yield* segmenter.push(chunk);
  }
  yield* segmenter.flush();
}
