/**
 * Playlists against real encodes: a noisy source (x264 spends its whole bitrate on it) through the
 * whole pipeline (API, a worker, Redis, S3), every segment of three variants fetched as a player
 * would, and what the master declares compared with what the segments hold and weigh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import HLS from 'hls-parser';
import { runFfmpeg } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { averageBitrate, deviation, peakSegmentBitrate } from './testing/bitrates.js';
import { startPipeline, type Pipeline } from './testing/pipeline.js';
import { probeSegment, type SegmentFacts } from './testing/segment-probe.js';

HLS.setOptions({ strictMode: true });
type Variant = InstanceType<typeof HLS.types.Variant>;
type MediaPlaylist = InstanceType<typeof HLS.types.MediaPlaylist>;

/** Rendition ids checked, by the profile whose master lists them. */
const CHECKED: Readonly<Record<string, readonly string[]>> = { legacy: ['legacy-234p'], mobile: ['mobile-360p', 'mobile-540p'] };
/** Apple's HLS authoring spec: the measured peak at most 10 % over BANDWIDTH, the average within 10 % of AVERAGE-BANDWIDTH. */
const TOLERANCE = 0.1;
/** Apple's HLS authoring spec: a variant for cellular networks declares at most this BANDWIDTH. */
const CELLULAR_LIMIT = 192_000;

interface Fetched {
  readonly id: string;
  readonly variant: Variant;
  readonly media: MediaPlaylist;
  readonly segments: readonly Buffer[];
}

let pipeline: Pipeline;
let dir: string;
const fetched: Fetched[] = [];

/** GET as a player does it: a 503 with Retry-After (a busy worker) is retried, a few times at most. */
async function get(url: string, attempts = 5): Promise<Buffer> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url);
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 503 && retryAfter > 0 && attempt < attempts) {
      await response.arrayBuffer();
      await sleep(retryAfter * 1000);
      continue;
    }
    assert.equal(response.status, 200, `GET ${url}`);
    return Buffer.from(await response.arrayBuffer());
  }
}

async function fetchVariant(masterUrl: string, variant: Variant, id: string): Promise<Fetched> {
  const mediaUrl = new URL(variant.uri, masterUrl);
  const media = HLS.parse((await get(mediaUrl.href)).toString('utf8'));
  assert.ok(!media.isMasterPlaylist);
  const segments: Buffer[] = [];
  for (const segment of media.segments) segments.push(await get(new URL(segment.uri, mediaUrl).href));
  return { id, variant, media, segments };
}

async function play(profile: string, ids: readonly string[]): Promise<Fetched[]> {
  const masterUrl = await pipeline.playbackUrl('noisy', profile);
  const master = HLS.parse((await get(masterUrl)).toString('utf8'));
  assert.ok(master.isMasterPlaylist);
  return Promise.all(ids.map((id) => {
    const variant = master.variants.find((candidate) => candidate.uri.includes(`/${id}/`));
    assert.ok(variant, `${profile} master lists ${id}`);
    return fetchVariant(masterUrl, variant, id);
  }));
}

before(async () => {
  dir = await makeTempDir('kiln-real-encodes-');
  const source = join(dir, 'noisy.mp4');
  // Moving test pattern under fresh noise every frame: no rung can encode it below its bitrate.
  await runFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=960x540:rate=30000/1001:duration=24,noise=alls=10:allf=t',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=24',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '6M', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', source,
  ]);
  pipeline = await startPipeline({ sources: { noisy: source }, workers: ['w1'], workerCapacity: 3 });
  for (const result of await Promise.all(Object.entries(CHECKED).map(([profile, ids]) => play(profile, ids)))) fetched.push(...result);
});

after(async () => {
  await pipeline.stop();
  await removeTempDir(dir);
});

test('CODECS, RESOLUTION and FRAME-RATE equal what every segment holds; EXTINF equals its frames', async () => {
  for (const { id, variant, media, segments } of fetched) {
    const facts: SegmentFacts[] = await Promise.all(segments.map((segment) => probeSegment(segment)));
    facts.forEach((fact, k) => {
      const where = `${id} segment ${k}`;
      assert.equal(fact.codecs, variant.codecs, `${where}: CODECS`);
      assert.deepEqual({ width: fact.width, height: fact.height }, variant.resolution, `${where}: RESOLUTION`);
      const [num, den] = fact.frameRate.split('/').map(Number);
      const frameRate = (num ?? Number.NaN) / (den ?? Number.NaN);
      assert.ok(Math.abs(frameRate - (variant.frameRate ?? 0)) < 0.0005, `${where}: FRAME-RATE ${variant.frameRate} vs ${fact.frameRate}`);
      const extinf = media.segments[k]?.duration ?? Number.NaN;
      assert.ok(Math.abs(fact.videoFrames / frameRate - extinf) < 0.5 / frameRate, `${where}: ${fact.videoFrames} frames vs EXTINF ${extinf}`);
    });
  }
});

test('measured peak is at most 10 % over BANDWIDTH, the average within 10 % of AVERAGE-BANDWIDTH', () => {
  const lines: string[] = [];
  for (const { id, variant, media, segments } of fetched) {
    const measured = segments.map((segment, k) => ({ bytes: segment.length, duration: media.segments[k]?.duration ?? Number.NaN }));
    const peak = peakSegmentBitrate(measured, media.targetDuration);
    const average = averageBitrate(measured);
    assert.ok(peak !== undefined && variant.averageBandwidth !== undefined, id);
    const off = { peak: deviation(peak, variant.bandwidth), average: deviation(average, variant.averageBandwidth) };
    lines.push(`${id}: peak ${Math.round(peak)} declared ${variant.bandwidth} (${(off.peak * 100).toFixed(1)} %), ` +
      `average ${Math.round(average)} declared ${variant.averageBandwidth} (${(off.average * 100).toFixed(1)} %)`);
    assert.ok(off.peak <= TOLERANCE, lines.at(-1));
    assert.ok(Math.abs(off.average) <= TOLERANCE, lines.at(-1));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});

test('the lowest variant fits a cellular budget', () => {
  const cellular = fetched.find((variant) => variant.id === 'legacy-234p');
  assert.ok(cellular !== undefined && cellular.variant.bandwidth <= CELLULAR_LIMIT, `BANDWIDTH ${cellular?.variant.bandwidth}`);
});
