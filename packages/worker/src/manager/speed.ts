/** Recent encode speed as × realtime: media seconds made over wall seconds spent, in a sliding window. */
export class SpeedMeter {
  private samples: { at: number; media: number; wall: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(mediaSeconds: number, wallMs: number, now = Date.now()): void {
    if (wallMs <= 0 || mediaSeconds <= 0) return;
    this.samples.push({ at: now, media: mediaSeconds, wall: wallMs / 1000 });
  }

  /** 0 when nothing was encoded within the window. */
  speed(now = Date.now()): number {
    this.samples = this.samples.filter((sample) => now - sample.at <= this.windowMs);
    const wall = this.samples.reduce((sum, sample) => sum + sample.wall, 0);
    return wall === 0 ? 0 : this.samples.reduce((sum, sample) => sum + sample.media, 0) / wall;
  }
}
