/**
 * The acceptance run as node:test suites: the sample media folder in `parts` slices (the test
 * runner gives each test file 5 minutes; the whole folder takes longer on a 2-core machine), each
 * slice on a cluster of its own — this API, one pre-transcode and one on-demand `kiln worker`,
 * Redis, an S3 API server — two files in flight at a time.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it, test } from 'node:test';
import { isProcessAlive } from '@kiln/shared';
import { SAMPLE_MEDIA_OUTCOMES, sampleMediaDirectory, sampleMediaOutcome, waitFor } from '@kiln/shared/testing';
import { startCluster, type Cluster } from './cluster.js';
import { acceptFile, acceptanceProblems, type AcceptanceBounds, type AcceptanceRow } from './media-acceptance.js';
import { rateFigures } from './played-rates.js';

/** Uploads in flight at once: one being ingested while another plays, on 2 cores. */
export const ACCEPTANCE_CONCURRENCY = 2;

/** Within the test runner's 5 minutes per file, with room for a slow machine. */
const TEST_BOUNDS: AcceptanceBounds = { settleMs: 120_000, playMs: 150_000 };

export interface AcceptanceCluster extends Cluster {
  readonly workerIds: readonly string[];
}

/** A test cluster with one worker of each role, both reporting load. */
export async function startAcceptanceCluster(): Promise<AcceptanceCluster> {
  const cluster = await startCluster({ maxBytes: 1024 * 1024 * 1024 });
  const workerIds = ['pre1', 'od1'];
  try {
    cluster.startWorker('pre1', 'pretranscode');
    // Two files in flight; a read that ended leaves its transcode a slot until the idle timeout.
    cluster.startWorker('od1', 'ondemand', 'od1', { KILN_WORKER_CAPACITY: '4', KILN_WORKER_IDLE_TIMEOUT: '5s' });
    await waitFor('load reports', async () => (await cluster.redis.exists(...workerIds.map((id) => cluster.keys.workerLoad(id)))) === workerIds.length);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return Object.assign(cluster, { workerIds });
}

/** Every file of the folder but the manifest, sorted. */
export async function sampleMediaFiles(dir = sampleMediaDirectory()): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile() && entry.name !== 'MANIFEST.md').map((entry) => entry.name).sort();
}

/** Slice `part` (1-based) of `parts`: every `parts`-th file, so long files spread over the slices. */
export function sliceOf(files: readonly string[], part: number, parts: number): string[] {
  return files.filter((_, i) => i % parts === part - 1);
}

/** No process crashed, no ffmpeg and no job scratch left behind. */
async function assertClusterClean(cluster: AcceptanceCluster): Promise<void> {
  const ffmpeg = new Set<number>();
  for (const id of cluster.workerIds) for (const pid of await cluster.ffmpegOf(id)) ffmpeg.add(pid);
  await waitFor('ffmpeg to exit', () => [...ffmpeg].every((pid) => !isProcessAlive(pid)), 300);
  for (const id of cluster.workerIds) {
    assert.ok((await cluster.redis.exists(cluster.keys.workerLoad(id))) === 1, `${id} is alive and reporting load`);
  }
  assert.deepEqual(await cluster.scratchLeft('pre1'), [], 'job scratch removed');
}

export function mediaAcceptanceSuite(part: number, parts: number): void {
  const files = sliceOf(Object.keys(SAMPLE_MEDIA_OUTCOMES).sort(), part, parts);
  const rows: AcceptanceRow[] = [];
  let cluster: AcceptanceCluster;
  before(async () => {
    cluster = await startAcceptanceCluster();
  });
  after(() => cluster.stop());

  if (part === 1) {
    test('the outcome table lists every file of the media folder', async () => {
      assert.deepEqual(await sampleMediaFiles(), Object.keys(SAMPLE_MEDIA_OUTCOMES).sort());
    });
  }

  describe(`part ${part} of ${parts}: uploaded through the API, each file is ready and plays to its end, or is refused with its code`, { concurrency: ACCEPTANCE_CONCURRENCY }, () => {
    for (const file of files) {
      it(file, async (t) => {
        const row = await acceptFile({ base: cluster.base, cache: cluster, mediaDir: sampleMediaDirectory(), bounds: TEST_BOUNDS }, file);
        rows.push(row);
        if (row.rates !== undefined) t.diagnostic(rateFigures(row.rates));
        assert.deepEqual(acceptanceProblems(row, sampleMediaOutcome(file)), []);
      });
    }
  });

  test('no upload hung or stayed processing, no worker died, nothing left behind', async () => {
    const unsettled = rows.filter((row) => row.outcome !== 'ready' && row.outcome !== 'failed').map((row) => `${row.file}: ${row.outcome} ${row.message ?? ''}`);
    assert.deepEqual(unsettled, []);
    assert.equal(rows.length, files.length, 'every file ran');
    await assertClusterClean(cluster);
  });
}
