/**
 * A real browser for tests: Debian's Chromium, driven by playwright-core, with scripts served from
 * node_modules (no CDN, no downloaded browser). As an uploader it sends a picked file with
 * tus-js-client; `launchWithPage` is also the end-to-end tests' player (`@kiln/e2e`).
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

// Runs in the page: uploads the file picked in the input with tus-js-client, as a site with Uppy would.
const UPLOADER_PAGE = `<!doctype html><meta charset="utf-8"><input type="file">
<script src="/tus.js"></script><script>
window.upload = (endpoint, chunkSize, headers) => new Promise((resolve) => {
  const file = document.querySelector('input').files[0];
  const report = { progress: [] };
  const upload = new tus.Upload(file, {
    endpoint, chunkSize, headers, retryDelays: [100, 300, 1000],
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
  upload(endpoint: string, file: string, options?: { chunkSize?: number; headers?: Readonly<Record<string, string>> }): Promise<UploadReport>;
  /** The origin the page is served from (what KILN_CORS_ORIGINS must list). */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves one page and its scripts on a loopback port: another origin than the API's. `scripts`:
 * URL path → file, resolved by the caller from its own dependencies.
 */
async function servePage(html: string, scripts: Readonly<Record<string, string>>): Promise<Server> {
  const bodies = new Map(await Promise.all(Object.entries(scripts).map(async ([path, file]) => [path, await readFile(file)] as const)));
  const server = createServer((request, response) => {
    const script = bodies.get(request.url ?? '');
    if (script !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export interface OpenedPage {
  readonly browser: Browser;
  readonly pageUrl: string;
  close(): Promise<void>;
}

/** Chromium with one page (`pageUrl`) serving `html` and `scripts` (URL path → file). */
export async function launchWithPage(html: string, scripts: Readonly<Record<string, string>>): Promise<OpenedPage> {
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

export async function launchUploader(): Promise<Uploader> {
  const require = createRequire(import.meta.url);
  const opened = await launchWithPage(UPLOADER_PAGE, { '/tus.js': require.resolve('tus-js-client/dist/tus.min.js') });
  return {
    origin: new URL(opened.pageUrl).origin,
    async upload(endpoint, file, { chunkSize = 512 * 1024, headers = {} } = {}) {
      const page = await opened.browser.newPage();
      try {
        await page.goto(opened.pageUrl);
        await page.setInputFiles('input', file);
        return await page.evaluate(([url, size, extra]) =>
          (globalThis as unknown as { upload(u: string, c: number, h: object): Promise<UploadReport> }).upload(url, size, extra), [endpoint, chunkSize, headers] as const);
      } finally {
        await page.close();
      }
    },
    close: () => opened.close(),
  };
}
