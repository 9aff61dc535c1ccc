/**
 * A real browser as the player: plays an HLS URL with hls.js (served from node_modules) and
 * reports what a person would notice: how long until the first frame, whether playback stalled,
 * and every hls.js error event, with where it happened.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithPage } from '@kiln/api/testing';

/** Where browser tests leave what a person may look at afterwards (screenshots): `.test-output/e2e/` of the repository. */
export const testOutputPath = (file: string): string => join(fileURLToPath(new URL('../../../../', import.meta.url)), '.test-output', 'e2e', file);

export interface HlsErrorEvent {
  readonly type: string;
  readonly details: string;
  readonly fatal: boolean;
  /** The video element's currentTime when hls.js reported it, in seconds. */
  readonly position: number;
  /** The fragment it names (`sn@level`), when it names one. */
  readonly fragment?: string;
  readonly reason?: string;
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
  /** The same loads as `sn@level` (level: the variant's index in the master playlist). */
  readonly loads: readonly string[];
  /** hls.js's own warnings and errors (its logger), the last 40: what explains an error event. */
  readonly log: readonly string[];
}

/**
 * hls.js error events a clean Kiln stream may raise: only the seek over the gap at the very start.
 * hls.js's timeline begins at the first video DTS (two frames before the first picture with
 * B-frames) or the first audio PTS (one AAC frame early: priming), so the video's buffered range
 * begins a few tens of ms after 0. Anything else, or that seek later in the stream, is a fault.
 */
export function unexpectedErrors(report: PlaybackReport): HlsErrorEvent[] {
  return report.errors.filter((error) => !(error.details === 'bufferSeekOverHole' && !error.fatal && error.position < 0.2));
}

// Runs in the page: plays `url` from `start` at `rate` to its end (or the deadline) and reports.
const PLAYER_PAGE = `<!doctype html><meta charset="utf-8"><video muted playsinline></video>
<script src="/hls.js"></script><script>
window.play = (url, rate, deadlineMs, start, switchEvery) => new Promise((resolve) => {
  const video = document.querySelector('video');
  const report = { firstFrameMs: null, stalls: 0, ended: false, timedOut: false, errors: [], fragments: [], loads: [], log: [] };
  const keep = (level) => (...parts) => { report.log.push(level + ' ' + parts.map(String).join(' ')); report.log.splice(0, report.log.length - 40); };
  const quiet = () => {};
  // switchEvery: ABR that takes the fragment after n (the last one loaded) from variant floor((n+1) / switchEvery) mod count.
  let last = null;
  class Scheduled extends Hls.DefaultConfig.abrController {
    get nextAutoLevel() { return last === null ? super.nextAutoLevel : Math.floor((last.sn + 1) / switchEvery) % this.hls.levels.length; }
    set nextAutoLevel(level) { super.nextAutoLevel = level; }
  }
  const hls = new Hls({ ...(switchEvery > 0 ? { abrController: Scheduled } : {}), startPosition: start, debug: { trace: quiet, debug: quiet, log: quiet, info: quiet, warn: keep('warn'), error: keep('error') } });
  const started = performance.now();
  const finish = () => resolve({ ...report, currentTime: video.currentTime, duration: video.duration });
  hls.on(Hls.Events.ERROR, (_event, data) => report.errors.push({
    type: data.type, details: data.details, fatal: data.fatal, position: video.currentTime,
    ...(data.frag ? { fragment: data.frag.sn + '@' + data.frag.level } : {}),
    ...(data.reason || data.error ? { reason: String(data.reason || data.error.message) } : {}),
  }));
  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => { report.fragments.push(data.frag.sn); report.loads.push(data.frag.sn + '@' + data.frag.level); last = data.frag; });
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

export interface PlayOptions {
  /** Playback speed (default 1). */
  readonly rate?: number;
  /** Give up after this long (default 60 s): the report then says `timedOut`. */
  readonly deadlineMs?: number;
  /** hls.js's `startPosition` in seconds (default: the start). */
  readonly startPosition?: number;
  /** A PNG of the page once a frame past the start is shown (or when playback ends without one). */
  readonly screenshot?: string;
  /**
   * Variant switches in place of ABR: fragment n comes from variant floor(n / switchEvery) mod count
   * (the fragment after the last one loaded). At a switch hls.js looks up the next fragment by its
   * buffered end on the new variant's timeline: playlist times for a variant not loaded before.
   */
  readonly switchEvery?: number;
}

export interface Player {
  /** Plays `url` at `rate`× speed until it ends or `deadlineMs` passes. */
  play(url: string, options?: PlayOptions): Promise<PlaybackReport>;
  close(): Promise<void>;
}

type PlayFunction = (url: string, rate: number, deadline: number, start: number, switchEvery: number) => Promise<PlaybackReport>;

export async function launchPlayer(): Promise<Player> {
  const require = createRequire(import.meta.url);
  const opened = await launchWithPage(PLAYER_PAGE, { '/hls.js': require.resolve('hls.js/dist/hls.min.js') });
  return {
    async play(url, { rate = 1, deadlineMs = 60_000, startPosition = -1, screenshot, switchEvery = 0 } = {}) {
      const page = await opened.browser.newPage();
      try {
        await page.goto(opened.pageUrl);
        const playing = page.evaluate(([src, speed, deadline, start, switching]) =>
          (globalThis as unknown as { play: PlayFunction }).play(src, speed, deadline, start, switching), [url, rate, deadlineMs, startPosition, switchEvery] as const);
        if (screenshot !== undefined) {
          // Half a second of media past where it started: a picture is on screen, not a blank element.
          const shown = page.waitForFunction(`(document.querySelector('video')?.currentTime ?? 0) > ${Math.max(startPosition, 0) + 0.5}`, undefined, { timeout: deadlineMs });
          shown.catch(() => undefined);
          await Promise.race([shown, playing]).catch(() => undefined);
          await mkdir(dirname(screenshot), { recursive: true });
          await page.screenshot({ path: screenshot });
        }
        return await playing;
      } finally {
        await page.close();
      }
    },
    close: () => opened.close(),
  };
}
