/**
 * The ingest core over the sample media folder, for its test (media.test.ts): every file through
 * probe → classify → normalize (into a temp directory that is removed afterwards), one row per
 * file, one at a time. The table in docs/compatibility.md comes from the whole path through the
 * API instead (`pnpm bench compatibility`, packages/e2e/bench/compatibility.ts).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCode } from '@kiln/shared';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import type { MezzanineOptions } from '../ingest/normalize-args.js';
import { normalizeSource } from '../ingest/normalize.js';
import { inspectSource } from '../ingest/inspect.js';
import type { IngestLimits, IngestPlan } from '../ingest/types.js';

export interface CompatibilityRow {
  readonly file: string;
  readonly outcome: 'accepted' | 'refused' | 'failed';
  /** The refusal code, or the error code of a failed run. */
  readonly code?: string;
  readonly message?: string;
  readonly plan?: IngestPlan;
  readonly normalize?: IngestPlan['normalize']['kind'];
  readonly outputDurationSeconds?: number;
  readonly seconds: number;
}

export interface CompatibilityOptions {
  readonly mediaDir?: string;
  readonly mezzanine?: MezzanineOptions;
  readonly limits?: IngestLimits;
  /** Only these file names (default: every file but MANIFEST.md). */
  readonly files?: readonly string[];
  readonly onRow?: (row: CompatibilityRow) => void;
}

export async function runCompatibility(options: CompatibilityOptions = {}): Promise<CompatibilityRow[]> {
  const dir = options.mediaDir ?? sampleMediaDirectory();
  const names = options.files ?? (await readdir(dir)).filter((name) => name !== 'MANIFEST.md').sort();
  const scratch = await mkdtemp(join(tmpdir(), 'kiln-compat-'));
  const rows: CompatibilityRow[] = [];
  try {
    for (const name of names) {
      if (!(await stat(join(dir, name))).isFile()) continue;
      const row = await checkFile(join(dir, name), name, scratch, options);
      rows.push(row);
      options.onRow?.(row);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return rows;
}

async function checkFile(path: string, file: string, scratch: string, options: CompatibilityOptions): Promise<CompatibilityRow> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const { verdict } = await inspectSource(path, options.limits === undefined ? {} : { limits: options.limits });
    if (verdict.outcome === 'refused') {
      return { file, outcome: 'refused', code: verdict.refusal.code, message: verdict.refusal.message, seconds: seconds() };
    }
    const { plan } = verdict;
    const target = { path: join(scratch, `${file}.mp4`) };
    const result = await normalizeSource(path, plan, { target, scratchDir: scratch, ...(options.mezzanine === undefined ? {} : { mezzanine: options.mezzanine }) });
    await rm(target.path, { force: true });
    return {
      file, outcome: 'accepted', plan, normalize: result.action, seconds: seconds(),
      ...(result.outputDurationSeconds === undefined ? {} : { outputDurationSeconds: result.outputDurationSeconds }),
    };
  } catch (error) {
    return { file, outcome: 'failed', code: errorCode(error), message: error instanceof Error ? error.message : String(error), seconds: seconds() };
  }
}
