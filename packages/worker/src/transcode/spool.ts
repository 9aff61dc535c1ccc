/**
 * Keeps what a stream delivers while its reader is busy elsewhere. A split run's main output must be
 * read while the run waits for its first-segment output (ffmpeg blocks on a full pipe, and that output
 * too with it), but its segments come after that output's. The spool reads the stream at once, without backpressure, up to
 * a bound, then gives back everything it kept followed by the rest of the stream.
 */
import type { Readable } from 'node:stream';

const ignore = (): void => undefined;

export class Spool {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private released = false;
  private overflow: (() => void) | undefined;
  /** Rejects with `overflowError` once more than the bound waits in the spool (never, once released). */
  readonly overflowed: Promise<never>;
  readonly overflowError: RangeError;

  constructor(
    private readonly stream: Readable,
    readonly limitBytes: number,
  ) {
    this.overflowError = new RangeError(`more than ${limitBytes} bytes waited in the spool`);
    this.overflowed = new Promise<never>((_, reject) => {
      this.overflow = () => reject(this.overflowError);
    });
    this.overflowed.catch(() => undefined); // observed by whoever races it
    stream.on('data', this.keep);
    // Until released nobody else listens: an error must not go unhandled. The stream keeps it
    // (`errored`), and reading it after the release throws it.
    stream.on('error', ignore);
  }

  private readonly keep = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > this.limitBytes) this.overflow?.();
  };

  /** Stops keeping; the kept chunks, then the stream's remaining ones, in order. Once only. */
  release(): AsyncIterable<Uint8Array> {
    if (this.released) throw new Error('a spool is released once');
    const kept = this.stopKeeping();
    const stream = this.stream;
    return (async function* replay() {
      yield* kept;
      yield* stream;
    })();
  }

  /**
   * Done with the stream: drops what was kept and closes it, released or not (its reader may have
   * stopped before the end; an unread pipe left open keeps its process's end from coming).
   */
  close(): void {
    if (!this.released) this.stopKeeping();
    this.stream.destroy();
  }

  private stopKeeping(): Buffer[] {
    this.released = true;
    this.stream.pause(); // before the listener goes: a flowing stream without one drops data
    this.stream.off('data', this.keep);
    this.stream.off('error', ignore);
    const kept = this.chunks;
    this.chunks = [];
    return kept;
  }
}
