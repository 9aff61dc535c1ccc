/**
 * A real browser as the player: plays an HLS URL with hls.js (served from node_modules) and
 * reports what a person would notice: how long until the first frame, whether playback stalled,
 * and every hls.js error event with where it happened; plus a timeline of hls.js events, so a slow
 * start says why.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithPage, type OpenedPage } from '@kiln/api/testing';

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
  /** The first frame's wall-clock time (`Date.now()` in the page: the same clock as this process). */
  readonly firstFrameAt: number | null;
  /** hls.js's `currentLevel` when the first frame was presented (an index into `levels`). */
  readonly firstFrameLevel: number | null;
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
  /** The variant playlists' URLs, in the master's order (hls.js level indexes). */
  readonly levels: readonly string[];
  /** `+ms what`: levels loaded, switches, fragments requested and loaded, errors, the first frame. */
  readonly events: readonly string[];
}

export interface PlayOptions {
  /** Playback speed (default 1). */
  readonly rate?: number;
  /** Give up after this long (default 60 s): the report then says `timedOut`. */
  readonly deadlineMs?: number;
  /** hls.js's `startPosition` in seconds (default: hls.js's, the start). */
  readonly startPosition?: number;
  /** The report comes this long after the first frame (and loading stops), not at the end. */
  readonly afterFirstFrameMs?: number;
  /** A PNG of the page once a frame past the start is shown (or when playback ends without one). */
  readonly screenshot?: string;
  /**
   * Variant switches in place of ABR: fragment n comes from variant floor(n / switchEvery) mod count
   * (the fragment after the last one loaded). At a switch hls.js looks up the next fragment by its
   * buffered end on the new variant's timeline: playlist times for a variant not loaded before.
   */
  readonly switchEvery?: number;
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

// Runs in the page. `play` plays `url` and reports; `playWhenReady` is what an application's page
// does after an upload: poll the video through its backend until ready, ask it for a link, play.
const PLAYER_PAGE = `<!doctype html><meta charset="utf-8"><video muted playsinline></video>
<script src="/hls.js"></script><script>
window.play = (url, { rate = 1, deadlineMs = 60000, startPosition, afterFirstFrameMs, switchEvery = 0 }) => new Promise((resolve) => {
  const video = document.querySelector('video');
  const report = { firstFrameMs: null, firstFrameAt: null, firstFrameLevel: null, stalls: 0, ended: false, timedOut: false, errors: [], fragments: [], loads: [], log: [], levels: [], events: [] };
  const keep = (level) => (...parts) => { report.log.push(level + ' ' + parts.map(String).join(' ')); report.log.splice(0, report.log.length - 40); };
  const quiet = () => {};
  // switchEvery: ABR that takes the fragment after n (the last one loaded) from variant floor((n+1) / switchEvery) mod count.
  let last = null;
  class Scheduled extends Hls.DefaultConfig.abrController {
    get nextAutoLevel() { return last === null ? super.nextAutoLevel : Math.floor((last.sn + 1) / switchEvery) % this.hls.levels.length; }
    set nextAutoLevel(level) { super.nextAutoLevel = level; }
  }
  const hls = new Hls({
    ...(switchEvery > 0 ? { abrController: Scheduled } : {}),
    ...(startPosition === undefined ? {} : { startPosition }),
    debug: { trace: quiet, debug: quiet, log: quiet, info: quiet, warn: keep('warn'), error: keep('error') },
  });
  const started = performance.now();
  const note = (what) => report.events.push('+' + Math.round(performance.now() - started) + ' ' + what);
  const finish = () => { hls.stopLoad(); resolve({ ...report, currentTime: video.currentTime, duration: video.duration }); };
  hls.on(Hls.Events.ERROR, (_event, data) => {
    report.errors.push({
      type: data.type, details: data.details, fatal: data.fatal, position: video.currentTime,
      ...(data.frag ? { fragment: data.frag.sn + '@' + data.frag.level } : {}),
      ...(data.reason || data.error ? { reason: String(data.reason || data.error.message) } : {}),
    });
    note('error ' + data.details + (data.fatal ? ' (fatal)' : ''));
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    report.levels = data.levels.map((level) => level.uri);
    note('manifest: ' + data.levels.length + ' levels, first ' + data.firstLevel);
    video.playbackRate = rate;
    video.play();
  });
  hls.on(Hls.Events.LEVEL_SWITCHING, (_event, data) => note('switch to level ' + data.level));
  hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => note('level ' + data.level + ' loaded'));
  hls.on(Hls.Events.FRAG_LOADING, (_event, data) => note('fragment ' + data.frag.sn + '@' + data.frag.level + ' requested'));
  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
    report.fragments.push(data.frag.sn);
    report.loads.push(data.frag.sn + '@' + data.frag.level);
    last = data.frag;
    note('fragment ' + data.frag.sn + '@' + data.frag.level + ' loaded');
  });
  video.requestVideoFrameCallback(() => {
    report.firstFrameMs = performance.now() - started;
    report.firstFrameAt = Date.now();
    report.firstFrameLevel = hls.currentLevel;
    note('first frame at ' + video.currentTime.toFixed(2) + ' s, level ' + hls.currentLevel);
    if (afterFirstFrameMs !== undefined) setTimeout(finish, afterFirstFrameMs);
  });
  video.addEventListener('waiting', () => { if (report.firstFrameMs !== null && !video.ended) report.stalls += 1; });
  video.addEventListener('ratechange', () => { if (video.playbackRate !== rate) video.playbackRate = rate; });
  video.addEventListener('ended', () => { report.ended = true; finish(); });
  setTimeout(() => { report.timedOut = true; finish(); }, deadlineMs);
  hls.loadSource(url);
  hls.attachMedia(video);
});
window.playWhenReady = async (id, pollMs, options) => {
  for (;;) {
    const view = await window.appBackend('view', id);
    if (view.state === 'failed') return { readyAt: Date.now(), state: view.state, linkAt: null, report: null };
    if (view.state === 'ready') break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const readyAt = Date.now();
  const url = await window.appBackend('link', id);
  return { readyAt, state: 'ready', linkAt: Date.now(), report: await window.play(url, options) };
};
</script>`;

/**
 * An application's backend, which holds the API key the page must not: what the page's
 * `appBackend(what, id)` calls answer.
 */
export interface AppBackend {
  /** `GET /v1/videos/:id`. */
  view(id: string): Promise<{ readonly state: string }>;
  /** `POST /v1/videos/:id/playback` without a profile: the page's player picks it by its User-Agent as it opens the link. */
  link(id: string): Promise<string>;
}

export interface ReadyPlayback {
  /** Wall-clock times (ms since the epoch) of the poll that saw `ready`, and of the link's answer. */
  readonly readyAt: number;
  readonly linkAt: number | null;
  readonly state: string;
  readonly report: PlaybackReport | null;
}

export interface Player {
  /** Plays `url` from the start (or `startPosition`) at `rate`× speed until it ends or `deadlineMs` passes. */
  play(url: string, options?: PlayOptions): Promise<PlaybackReport>;
  /**
   * A fresh page is loaded first; then `upload()` runs (it answers the video's id) and the page polls
   * the video every `pollMs` through `backend` until ready, asks for a link and plays.
   */
  playWhenReady(backend: AppBackend, upload: () => Promise<string>, pollMs: number, options?: PlayOptions): Promise<ReadyPlayback>;
  /** The page's `navigator.userAgent`. */
  userAgent(): Promise<string>;
  close(): Promise<void>;
}

type PageWindow = {
  play(url: string, options: PlayOptions): Promise<PlaybackReport>;
  playWhenReady(id: string, pollMs: number, options: PlayOptions): Promise<ReadyPlayback>;
};

type Page = Awaited<ReturnType<OpenedPage['browser']['newPage']>>;

/** Half a second of media past where it started: a picture is on screen, not a blank element. */
async function screenshotOnceShown(page: Page, playing: Promise<unknown>, path: string, options: PlayOptions): Promise<void> {
  const from = Math.max(options.startPosition ?? 0, 0) + 0.5;
  const shown = page.waitForFunction(`(document.querySelector('video')?.currentTime ?? 0) > ${from}`, undefined, { timeout: options.deadlineMs ?? 60_000 });
  shown.catch(() => undefined);
  await Promise.race([shown, playing]).catch(() => undefined);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path });
}

export async function launchPlayer(): Promise<Player> {
  const require = createRequire(import.meta.url);
  const opened = await launchWithPage(PLAYER_PAGE, { '/hls.js': require.resolve('hls.js/dist/hls.min.js') });
  const inPage = async <T>(run: (page: Page) => Promise<T>): Promise<T> => {
    const page = await opened.browser.newPage();
    try {
      return await run(page);
    } finally {
      await page.close();
    }
  };
  return {
    play: (url, options = {}) => inPage(async (page) => {
      await page.goto(opened.pageUrl);
      const playing = page.evaluate(([src, given]) => (globalThis as unknown as PageWindow).play(src, given), [url, options] as const);
      if (options.screenshot !== undefined) await screenshotOnceShown(page, playing, options.screenshot, options);
      return await playing;
    }),
    playWhenReady: (backend, upload, pollMs, options = {}) => inPage(async (page) => {
      await page.exposeFunction('appBackend', (what: 'view' | 'link', videoId: string) => (what === 'view' ? backend.view(videoId) : backend.link(videoId)));
      await page.goto(opened.pageUrl);
      const id = await upload();
      return await page.evaluate(([video, poll, given]) => (globalThis as unknown as PageWindow).playWhenReady(video, poll, given), [id, pollMs, options] as const);
    }),
    userAgent: () => inPage(async (page) => {
      await page.goto(opened.pageUrl);
      return await page.evaluate(() => (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent);
    }),
    close: () => opened.close(),
  };
}
