/**
 * `pnpm bench compatibility [--media DIR] [--out docs/compatibility.md] [--concurrency 2]`:
 * the sample media acceptance run — every file of the sample media folder uploaded through the API of a
 * test cluster (this API, one pre-transcode and one on-demand `kiln worker` with x264
 * `ultrafast`, Redis, an S3 API server), then refused with a code or `ready` and read to its end
 * by ffmpeg as an HLS client — written as a table to docs/compatibility.md. It lives in the e2e
 * package because the run crosses packages (the ingest core alone is worker's media.test.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import { compatibilityMarkdown } from '../src/testing/compatibility-table.js';
import { runMediaAcceptance, type AcceptanceRow } from '../src/testing/media-acceptance.js';
import { ACCEPTANCE_CONCURRENCY, sampleMediaFiles, startAcceptanceCluster } from '../src/testing/media-suite.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

function progress(row: AcceptanceRow): void {
  const check = row.duration === undefined ? '' : ` played ${row.duration.playedSeconds.toFixed(3)} s of ${row.duration.sourceSeconds.toFixed(3)} s`;
  process.stderr.write(`${row.file}: ${row.outcome} ${row.code ?? ''} (${row.settleSeconds?.toFixed(1) ?? '?'} s)${check}\n`);
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      media: { type: 'string', default: sampleMediaDirectory() },
      out: { type: 'string', default: join(REPO_ROOT, 'docs', 'compatibility.md') },
      concurrency: { type: 'string', default: String(ACCEPTANCE_CONCURRENCY) },
    },
  });
  const files = await sampleMediaFiles(values.media);
  const cluster = await startAcceptanceCluster();
  const started = performance.now();
  let rows: AcceptanceRow[];
  try {
    rows = await runMediaAcceptance({ base: cluster.base, cache: cluster, mediaDir: values.media, files, concurrency: Number(values.concurrency), onRow: progress });
  } finally {
    await cluster.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const markdown = compatibilityMarkdown(rows, { seconds, concurrency: Number(values.concurrency) });
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, markdown);
  process.stdout.write(markdown);
}
