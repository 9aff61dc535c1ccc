/**
 * A counting semaphore: at most `capacity` ffmpeg runs at once across every job of a worker, and
 * the number in use for its load report. Waiters are served in the order they asked.
 */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get active(): number {
    return this.used;
  }

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.used >= this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // A slot passes straight to the next waiter, so `used` never drops below what runs.
      if (next === undefined) this.used -= 1;
      else next();
    }
  }
}
