/**
 * A real browser as the player: plays an HLS URL with hls.js (served from node_modules) and
 * reports what a person would notice: how long until the first frame, whether playback stalled,
 * and every hls.js error event.
 */
import { createRequire } from 'node:module';
import { launchWithPage } from '@kiln/api/testing';

export interface HlsErrorEvent {
  readonly type: string;
  readonly details: string;
  readonly fatal: boolean;
}

export interface PlaybackReport {
  /** From `loadSource` to the first frame presented, in ms (null: never). */
  readonly firstFrameMs: number | null;
  /** `waiting` events after the first frame: the player ran out of media. */
  readonly stalls: number;
  readonly ended: boolean;
  readonly timedOut: boolean;
  readonly currentTime: number;
  readonly duration: number;
  readonly errors: readonly HlsErrorEvent[];
  /** Media sequence numbers of the fragments hls.js loaded, in order. */
  readonly fragments: readonly number[];
}

// Runs in the page: plays `url` at `rate` to its end (or the deadline) and reports.
const PLAYER_PAGE = `<!doctype html><meta charset="utf-8"><video muted playsinline></video>
<script src="/hls.js"></script><script>
window.play = (url, rate, deadlineMs) => new Promise((resolve) => {
  const video = document.querySelector('video');
  const report = { firstFrameMs: null, stalls: 0, ended: false, timedOut: false, errors: [], fragments: [] };
  const hls = new Hls();
  const started = performance.now();
  const finish = () => resolve({ ...report, currentTime: video.currentTime, duration: video.duration });
  hls.on(Hls.Events.ERROR, (_event, data) => report.errors.push({ type: data.type, details: data.details, fatal: data.fatal }));
  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => report.fragments.push(data.frag.sn));
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.playbackRate = rate; video.play(); });
  video.requestVideoFrameCallback(() => { report.firstFrameMs = performance.now() - started; });
  video.addEventListener('waiting', () => { if (report.firstFrameMs !== null && !video.ended) report.stalls += 1; });
  video.addEventListener('ratechange', () => { if (video.playbackRate !== rate) video.playbackRate = rate; });
  video.addEventListener('ended', () => { report.ended = true; finish(); });
  setTimeout(() => { report.timedOut = true; finish(); }, deadlineMs);
  hls.loadSource(url);
  hls.attachMedia(video);
});
</script>`;

export interface Player {
  /** Plays `url` from the start at `rate`× speed until it ends or `deadlineMs` passes. */
  play(url: string, options?: { rate?: number; deadlineMs?: number }): Promise<PlaybackReport>;
  close(): Promise<void>;
}

export async function launchPlayer(): Promise<Player> {
  const require = createRequire(import.meta.url);
  const opened = await launchWithPage(PLAYER_PAGE, { '/hls.js': require.resolve('hls.js/dist/hls.min.js') });
  return {
    async play(url, { rate = 1, deadlineMs = 60_000 } = {}) {
      const page = await opened.browser.newPage();
      try {
        await page.goto(opened.pageUrl);
        return await page.evaluate(([src, speed, deadline]) =>
          (globalThis as unknown as { play(u: string, r: number, d: number): Promise<PlaybackReport> }).play(src, speed, deadline), [url, rate, deadlineMs] as const);
      } finally {
        await page.close();
      }
    },
    close: () => opened.close(),
  };
}
