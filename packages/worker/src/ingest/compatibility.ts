/**
 * The compatibility run: every file of the sample media folder through probe → classify →
 * normalize (into a temp directory that is removed afterwards), one row per file. Files run one
 * at a time: the machine is shared with live transcodes.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCode } from '@kiln/shared';
import type { MezzanineOptions } from './normalize-args.js';
import { normalizeSource } from './normalize.js';
import { inspectSource } from './probe.js';
import type { IngestLimits, IngestPlan } from './types.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The shared sample media: `KILN_MEDIA_DIR`, else `shared/media` beside the repository. */
export function mediaDirectory(): string {
  return process.env.KILN_MEDIA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'media');
}

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
  const dir = options.mediaDir ?? mediaDirectory();
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

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function describe(row: CompatibilityRow): string {
  if (row.plan === undefined) return row.message ?? '';
  const { plan } = row;
  const video = plan.video === undefined ? 'audio only' : `${plan.video.codec} ${plan.video.display.width}×${plan.video.display.height} → ${plan.video.frameRate.num}/${plan.video.frameRate.den} fps`;
  const flags = [
    plan.video?.rotation ? `rotation ${plan.video.rotation}` : '', plan.video?.interlaced ? 'interlaced' : '',
    plan.video?.variableFrameRate ? 'VFR' : '', plan.video?.highBitDepth ? '10-bit' : '', plan.video?.hdr ? 'HDR' : '',
  ].filter((flag) => flag !== '');
  const audio = plan.audio === undefined ? 'no audio' : `${plan.audio.codec}`;
  const reason = plan.normalize.kind === 'none' ? '' : ` — ${plan.normalize.reason}`;
  return [`${video}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}; ${audio}${reason}`, ...plan.notes].join('; ');
}

/** The table for docs/compatibility.md: one row per file, then the counts. */
export function compatibilityMarkdown(rows: readonly CompatibilityRow[]): string {
  const lines = [
    '| File | Outcome | Code | Normalize | Duration (s) | Time (s) | Details |',
    '|---|---|---|---|---:|---:|---|',
    ...rows.map((row) =>
      `| \`${cell(row.file)}\` | ${row.outcome} | ${row.code ?? ''} | ${row.normalize ?? ''} | ${row.plan?.durationSeconds.toFixed(3) ?? ''} | ${row.seconds.toFixed(2)} | ${cell(describe(row))} |`),
  ];
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = row.outcome === 'accepted' ? `accepted (${row.normalize ?? '?'})` : `${row.outcome} ${row.code ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `- ${key}: ${count}`);
  return [...lines, '', `${rows.length} files:`, ...summary, ''].join('\n');
}
