/**
 * A real browser for tests: Debian's Chromium, driven by playwright-core, with scripts served from
 * node_modules (no CDN, no downloaded browser). As a player it plays an HLS URL with hls.js and
 * reports what a person would notice: how long until the first frame, whether playback stalled,
 * and every hls.js error event. As an uploader it sends a picked file with tus-js-client.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep Chromium off the (closed) network and let video autoplay. */
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

// Runs in the page: uploads the file picked in the input with tus-js-client, as a site with Uppy would.
const UPLOADER_PAGE = `<!doctype html><meta charset="utf-8"><input type="file">
<script src="/tus.js"></script><script>
window.upload = (endpoint, chunkSize) => new Promise((resolve) => {
  const file = document.querySelector('input').files[0];
  const report = { progress: [] };
  const upload = new tus.Upload(file, {
    endpoint, chunkSize, retryDelays: [100, 300, 1000],
    metadata: { filename: file.name, filetype: file.type },
    onProgress: (sent) => report.progress.push(sent),
    onError: (error) => resolve({ ...report, error: String(error) }),
    onSuccess: () => resolve({ ...report, url: upload.url }),
  });
  upload.start();
});
</script>`;

export interface UploadReport {
  /** The upload's URL (`/v1/uploads/{id}` resolved against the endpoint) when it finished. */
  readonly url?: string;
  readonly error?: string;
  /** Bytes sent, as tus-js-client reported them. */
  readonly progress: readonly number[];
}

export interface Uploader {
  /** Picks `file` in the page's file input and uploads it to `endpoint` with tus-js-client. */
  upload(endpoint: string, file: string, options?: { chunkSize?: number }): Promise<UploadReport>;
  close(): Promise<void>;
}

/** Serves one page and its scripts (from node_modules) on a loopback port: another origin than the API's. */
async function servePage(html: string, scripts: Readonly<Record<string, string>>): Promise<Server> {
  const require = createRequire(import.meta.url);
  const bodies = new Map(await Promise.all(Object.entries(scripts).map(async ([path, module]) => [path, await readFile(require.resolve(module))] as const)));
  const server = createServer((request, response) => {
    const script = bodies.get(request.url ?? '');
    if (script !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface OpenedPage {
  readonly browser: Browser;
  readonly pageUrl: string;
  close(): Promise<void>;
}

async function launchWithPage(html: string, scripts: Readonly<Record<string, string>>): Promise<OpenedPage> {
  const server = await servePage(html, scripts);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    browser,
    pageUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function launchPlayer(): Promise<Player> {
  const opened = await launchWithPage(PLAYER_PAGE, { '/hls.js': 'hls.js/dist/hls.min.js' });
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

export async function launchUploader(): Promise<Uploader> {
  const opened = await launchWithPage(UPLOADER_PAGE, { '/tus.js': 'tus-js-client/dist/tus.min.js' });
  return {
    async upload(endpoint, file, { chunkSize = 512 * 1024 } = {}) {
      const page = await opened.browser.newPage();
      try {
        await page.goto(opened.pageUrl);
        await page.setInputFiles('input', file);
        return await page.evaluate(([url, size]) =>
          (globalThis as unknown as { upload(u: string, c: number): Promise<UploadReport> }).upload(url, size), [endpoint, chunkSize] as const);
      } finally {
        await page.close();
      }
    },
    close: () => opened.close(),
  };
}
