/**
 * `pnpm bench compatibility [--preset veryfast] [--media DIR] [--out docs/compatibility.md]`:
 * every sample file through ingest (probe → classify → normalize into a temp dir), printed as a
 * markdown table and written to docs/compatibility.md at the repository root.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compatibilityMarkdown, mediaDirectory, runCompatibility } from '../src/ingest/compatibility.js';
import { MEZZANINE_DEFAULTS } from '../src/ingest/normalize-args.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: 'string', default: MEZZANINE_DEFAULTS.preset },
      media: { type: 'string', default: mediaDirectory() },
      out: { type: 'string', default: join(REPO_ROOT, 'docs', 'compatibility.md') },
    },
  });
  const rows = await runCompatibility({
    mediaDir: values.media,
    mezzanine: { preset: values.preset },
    onRow: (row) => process.stderr.write(`${row.file}: ${row.outcome} ${row.code ?? row.normalize ?? ''} (${row.seconds.toFixed(2)} s)\n`),
  });
  const header = [
    '# Ingest compatibility',
    '',
    `Every file of the sample media folder through ingest (ffprobe, packet scan, 2 s trial decode, then remux or`,
    `mezzanine encode with x264 preset \`${values.preset}\`), one at a time on this machine. Written by`,
    '`pnpm bench compatibility`; times include the normalize step. See packages/worker/src/ingest/README.md.',
    '',
  ].join('\n');
  const markdown = `${header}\n${compatibilityMarkdown(rows)}`;
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, markdown);
  process.stdout.write(markdown);
}
