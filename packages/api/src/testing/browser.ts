/**
 * A real player for tests: Debian's Chromium, driven by playwright-core, playing an HLS URL with
 * hls.js served from node_modules (no CDN, no downloaded browser). It reports what a person would
 * notice: how long until the first frame, whether playback stalled, and every hls.js error event.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep Chromium off the (closed) network and let video autoplay (ECOSYSTEM.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];

export const chromiumPath = (): string => process.env.KILN_CHROMIUM_PATH ?? '/usr/bin/chromium';

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

/** Serves the player page and hls.js on a loopback port. */
async function servePlayerPage(): Promise<Server> {
  const hlsJs = await readFile(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
  const server = createServer((request, response) => {
    if (request.url === '/hls.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(PLAYER_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function launchPlayer(): Promise<Player> {
  const server = await servePlayerPage();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  } catch (error) {
    server.close();
    throw error;
  }
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const opened = browser;
  return {
    async play(url, { rate = 1, deadlineMs = 60_000 } = {}) {
      const page = await opened.newPage();
      try {
        await page.goto(pageUrl);
        return await page.evaluate(([src, speed, deadline]) =>
          (globalThis as unknown as { play(u: string, r: number, d: number): Promise<PlaybackReport> }).play(src, speed, deadline), [url, rate, deadlineMs] as const);
      } finally {
        await page.close();
      }
    },
    async close() {
      await opened.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
