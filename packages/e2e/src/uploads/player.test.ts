/**
 * A real player on a freshly uploaded video: Debian's Chromium with hls.js plays it from its start
 * across the seam between the pre-transcoded pinned opening (segments 0–2, pinned in the cache) and what the
 * on-demand worker makes (segment 3 on), switching variants at every boundary, with no stall, no
 * segment loaded twice and no hls.js error event but the seek over AAC priming at 0; then from 10 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runFfmpeg } from '@kiln/shared';
import { makeTempDir, removeTempDir, waitFor } from '@kiln/shared/testing';
import { launchPlayer, testOutputPath, unexpectedErrors, type PlaybackReport, type Player } from '../testing/player.js';
import { startCluster, type Cluster } from '../testing/cluster.js';
import { indexedSegments, playbackUrl, segmentCacheCounts, settledVideo, uploadFile } from '../testing/upload-client.js';

const DURATION_S = 14;
/** 14 s on the 2,2,3,3,4 schedule: segments 0–4, of which 0–2 are the pre-transcoded opening. */
const SEGMENTS = [0, 1, 2, 3, 4];
const OPENING = [0, 1, 2];
const PROFILE = 'mobile';
/**
 * Real time: with a variant switch at every boundary, segments 3 and 4 are cold encodes of two
 * renditions; the opening's 7 s keep the player ahead of them even on a loaded machine.
 */
const RATE = 1;
/**
 * Two fragments per variant: segments 0–1 from the first, 2–3 from the second (not loaded before:
 * hls.js finds segment 2 by its playlist times, right after the cut inside the opening's run that
 * ends segment 1), 4 from the first again (after the pinned/on-demand seam).
 */
const SWITCH_EVERY = 2;
const DEADLINE_MS = 60_000;

let dir: string;
let source: string;
let cluster: Cluster;
let player: Player;
let videoId: string;

before(async () => {
  dir = await makeTempDir('kiln-player-');
  source = join(dir, 'clip.mp4');
  await runFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${DURATION_S}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${DURATION_S}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', source,
  ]);
  cluster = await startCluster({ maxBytes: 64 * 1024 * 1024 });
  cluster.startWorker('pre1', 'pretranscode');
  cluster.startWorker('od1', 'ondemand');
  await waitFor('load reports', async () => (await cluster.redis.exists(cluster.keys.workerLoad('pre1'), cluster.keys.workerLoad('od1'))) === 2);
  player = await launchPlayer();
});

after(async () => {
  await player?.close();
  await cluster?.stop();
  await removeTempDir(dir);
});

async function mobileRenditions(id: string): Promise<string[]> {
  const view = await settledVideo(cluster.base, id);
  assert.equal(view.state, 'ready', JSON.stringify(view.error));
  const renditions = view.renditions.filter((rendition) => rendition.profile === PROFILE);
  assert.ok(renditions.length > 0, `renditions of ${PROFILE}`);
  for (const rendition of renditions) assert.equal(rendition.segments, SEGMENTS.length, `${rendition.id} segments`);
  return renditions.map((rendition) => rendition.id);
}

/** The hls.js error events the stream caused, with hls.js's own warnings to explain them. */
function assertNoHlsErrors(report: PlaybackReport): void {
  assert.deepEqual(unexpectedErrors(report), [], `hls.js error events; its warnings:\n${report.log.join('\n')}`);
}

test('Chromium with hls.js plays a fresh upload across the pre-transcoded/on-demand seam, switching variants, with no stall and no error', async (t) => {
  const id = await uploadFile(cluster.base, source);
  videoId = id;
  const renditions = await mobileRenditions(id);
  // Before playback the cache holds exactly the pinned opening of every rendition: segment 3 on can only come from a worker.
  for (const rendition of renditions) {
    const opening = await indexedSegments(cluster.redis, cluster.keys, id, rendition);
    assert.deepEqual(opening.map((entry) => [entry.index, entry.pinned]), OPENING.map((index) => [index, true]), `${rendition} opening`);
  }
  const countsBefore = await segmentCacheCounts(cluster.base);
  const playbackStarted = Date.now();

  const url = await playbackUrl(cluster.base, id, PROFILE);
  const report = await player.play(url, { rate: RATE, deadlineMs: DEADLINE_MS, switchEvery: SWITCH_EVERY, screenshot: testOutputPath('player-from-0.png') });
  assertNoHlsErrors(report);
  assert.equal(report.timedOut, false, `timed out at ${report.currentTime} s`);
  assert.equal(report.ended, true);
  assert.equal(report.stalls, 0, 'the player never waited for media after its first frame');
  assert.ok(report.firstFrameMs !== null, 'a first frame');
  // Every segment reached the player from its scheduled variant.
  const variants = renditions.length;
  assert.ok(variants > 1, 'variants to switch between');
  assert.deepEqual([...new Set(report.fragments)].sort((a, b) => a - b), SEGMENTS, `loads ${report.loads.join(',')}`);
  for (const sn of SEGMENTS.slice(1)) {
    const variant = Math.floor(sn / SWITCH_EVERY) % variants;
    assert.ok(report.loads.includes(`${sn}@${variant}`), `segment ${sn} from variant ${variant}: loads ${report.loads.join(',')}`);
  }
  // The first switch, to a variant not loaded before, goes on with the next segment. A segment whose
  // audio ended before its video left hls.js's buffered end inside it on the new variant's playlist
  // times, so it loaded that segment again (an encode, on a cold cache) and could report bufferAppendNoProgress.
  const loads = report.loads.map((load) => load.split('@').map(Number) as [number, number]);
  const firstSwitch = loads.findIndex(([, level]) => level !== loads[0]?.[1]);
  assert.ok(firstSwitch > 0, `a switch: loads ${report.loads.join(',')}`);
  assert.equal(loads[firstSwitch]?.[0], (loads[firstSwitch - 1]?.[0] ?? 0) + 1, `the switch goes on with the next segment: loads ${report.loads.join(',')}`);

  const counts = await segmentCacheCounts(cluster.base);
  const hits = counts.hit - countsBefore.hit;
  const misses = counts.miss - countsBefore.miss;
  const openingLoads = report.fragments.filter((sn) => sn < OPENING.length).length;
  const tailLoads = report.fragments.length - openingLoads;
  assert.ok(hits >= openingLoads, `every opening load is a cache hit (${hits} hits, ${openingLoads} opening loads)`);
  assert.ok(misses >= 1 && misses <= tailLoads, `on-demand segments went to a worker (${misses} misses, ${tailLoads} tail loads)`);
  // What the worker made went into the cache behind the opening: not pinned, made during playback.
  const made = (await Promise.all(renditions.map((rendition) => indexedSegments(cluster.redis, cluster.keys, id, rendition)))).flat();
  const tail = made.filter((entry) => entry.index >= OPENING.length);
  assert.ok(tail.length >= SEGMENTS.length - OPENING.length, `on-demand segments cached (${tail.length})`);
  assert.ok(tail.every((entry) => !entry.pinned && entry.created >= playbackStarted), 'on-demand segments are made during playback, not pinned');

  await waitFor('no ffmpeg left', async () => (await cluster.ffmpegOf('od1')).length === 0 && (await cluster.ffmpegOf('pre1')).length === 0, 200);
  t.diagnostic(`time to first frame (fresh upload, opening pre-transcoded): ${report.firstFrameMs.toFixed(0)} ms; loads ${report.loads.join(',')}`);
});

test('Chromium with hls.js starts the same video at 10 s with no hls.js error event; a link without a profile plays desktop', async (t) => {
  assert.ok(videoId !== undefined, 'the upload of the first test');
  // No profile in the link: headless Chromium on Linux opens it as a desktop.
  const url = await playbackUrl(cluster.base, videoId);
  const report = await player.play(url, { rate: RATE, deadlineMs: DEADLINE_MS, startPosition: 10, switchEvery: SWITCH_EVERY, screenshot: testOutputPath('player-from-10.png') });
  assertNoHlsErrors(report);
  assert.equal(report.timedOut, false, `timed out at ${report.currentTime} s`);
  assert.equal(report.ended, true);
  assert.ok(report.firstFrameMs !== null, 'a first frame');
  // 10 s is where segment 4 (10–14 s) starts: nothing before it is loaded.
  assert.deepEqual(report.fragments, [4], `loads ${report.loads.join(',')}`);
  assert.ok(report.levels.length > 0 && report.levels.every((uri) => uri.includes('/desktop-')), `desktop variants: ${report.levels.join(' ')}`);
  t.diagnostic(`time to first frame from 10 s: ${report.firstFrameMs.toFixed(0)} ms; loads ${report.loads.join(',')}`);
});
