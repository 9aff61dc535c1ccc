/** docs/compatibility.md from the acceptance run's rows: one line per file, then the counts. */
import { SAMPLE_MEDIA_OUTCOMES, sampleMediaOutcome } from '@kiln/shared/testing';
import { acceptanceProblems, type AcceptanceRow } from './media-acceptance.js';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function durationCell(row: AcceptanceRow): string {
  const check = row.duration;
  if (check === undefined) return '';
  const irregular = check.irregular ? ' (irregular)' : '';
  return `${check.sourceSeconds.toFixed(3)} → ${check.playedSeconds.toFixed(3)} ± ${check.toleranceSeconds.toFixed(3)}${irregular}`;
}

function notes(row: AcceptanceRow): string {
  const problems = acceptanceProblems(row, sampleMediaOutcome(row.file));
  const jumps = row.continuityJumps ? `${row.continuityJumps} TS continuity jumps` : '';
  const audio = row.audio === undefined ? '' : row.audio.present ? 'audio' : 'no audio';
  const said = row.outcome === 'ready' ? [audio, jumps] : [row.message ?? ''];
  return [...said, ...problems.map((problem) => `**${problem}**`)].filter((text) => text !== '').join('; ');
}

function line(row: AcceptanceRow): string {
  const ok = acceptanceProblems(row, sampleMediaOutcome(row.file)).length === 0 ? 'yes' : '**no**';
  const variant = row.variant === undefined ? '' : `${row.variant.resolution ?? 'audio'} @ ${row.variant.frameRate ?? ''}`;
  return `| \`${cell(row.file)}\` | ${SAMPLE_MEDIA_OUTCOMES[row.file] ?? '?'} | ${row.outcome} | ${row.code ?? ''} | ${row.settleSeconds?.toFixed(1) ?? ''} | `
    + `${variant} | ${durationCell(row)} | ${ok} | ${cell(notes(row))} |`;
}

function counts(rows: readonly AcceptanceRow[]): string[] {
  const byOutcome = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.outcome}${row.code === undefined ? '' : ` ${row.code}`}`;
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
  }
  return [...byOutcome].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `- ${key}: ${count}`);
}

export interface RunFacts {
  readonly seconds: number;
  readonly concurrency: number;
}

export function compatibilityMarkdown(rows: readonly AcceptanceRow[], run: RunFacts): string {
  const expected = rows.filter((row) => acceptanceProblems(row, sampleMediaOutcome(row.file)).length === 0).length;
  return [
    '# Compatibility: the sample media folder through the API',
    '',
    'Every file of the sample media folder (`../shared/media`, see its MANIFEST.md) uploaded with `POST /v1/videos` to a',
    'test cluster — the API, one pre-transcode `kiln worker` (capacity 2) and one on-demand (capacity 4, idle timeout 5 s),',
    `x264 \`ultrafast\`, Redis, an S3 API server — ${run.concurrency} uploads in flight. A \`ready\` video is read to its end by ffmpeg as an HLS client: a one-time`,
    'link, its master playlist, then the lowest-bandwidth variant with video (the lowest for audio-only): every rendition',
    'follows the same segment schedule, and this one costs the on-demand worker least and exists for every source.',
    'Its length (video, or audio for audio-only sources) must match the original file\'s (ffprobe\'s packet list) within one',
    'output frame, or 0.1 s where the source\'s timing is irregular; its audio must be there when the source has audio.',
    '"Expected" is the outcome table in `@kiln/shared/testing` (sample-media.ts), which the ingest core\'s test checks too.',
    'Written by `pnpm bench compatibility`; the same run is the test `packages/e2e/src/uploads/media-*.test.ts`.',
    '',
    `${rows.length} files in ${run.seconds.toFixed(0)} s; ${expected} as expected.`,
    '',
    '| File | Expected | Outcome | Code | Ready in (s) | Variant read | Duration: source → played (s) | As expected | Notes |',
    '|---|---|---|---|---:|---|---|---|---|',
    ...rows.map(line),
    '',
    'Outcomes:',
    ...counts(rows),
    '',
  ].join('\n');
}
