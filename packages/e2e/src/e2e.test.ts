/**
 * End to end: this API, two `kiln worker` processes, Redis, an S3 API server, and ffmpeg as the
 * player reading every variant of the master. The session's worker is killed mid-way; reading must finish.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ffmpegBinary, isProcessAlive, runFfmpeg } from '@kiln/shared';
import { listChildProcesses, makeTempDir, removeTempDir, waitFor } from '@kiln/shared/testing';
import { startPipeline, type Pipeline } from './testing/pipeline.js';
import { AS_ADMIN } from '@kiln/api/testing';

let dir: string;
let pipeline: Pipeline;

before(async () => {
  dir = await makeTempDir('kiln-api-e2e-');
  const source = join(dir, 'source.mp4');
  await runFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=12', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', source,
  ]);
  pipeline = await startPipeline({ sources: { e2e: source }, workers: ['w1', 'w2'], workerCapacity: 2 });
});

after(async () => {
  await pipeline.stop();
  await removeTempDir(dir);
});

/** SIGKILL: a crash, with no chance to clean up; its encoders must die all the same. */
async function killChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** ffmpeg processes started by `workerPid` (each leads its own process group, but its parent is the worker). */
async function encodersOf(workerPid: number): Promise<number[]> {
  return (await listChildProcesses(workerPid)).filter((entry) => /ffmpeg/.test(entry.commandLine)).map((entry) => entry.pid);
}

/** ffmpeg as a player, reading at the media's own pace (-re) as a person watching would. */
function play(url: string): Promise<{ code: number | null; stderr: string }> {
  const player = spawn(ffmpegBinary(), ['-v', 'error', '-re', '-i', url, '-map', '0', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  player.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) => player.once('close', (code) => done({ code, stderr })));
}

test('ffmpeg reads every variant to the end, although the session\'s worker is killed mid-way', async () => {
  const { redis, keys, app } = pipeline;
  const reading = play(await pipeline.playbackUrl('e2e', 'legacy'));
  // Once a few segments are cached, stop the worker the session is on.
  await waitFor('segments cached', async () => (await redis.zcard(keys.segmentsByAccess())) >= 2);
  const sessions = await redis.keys('kiln:session:*:worker');
  const chosen = sessions[0] === undefined ? undefined : await redis.get(sessions[0]);
  assert.ok(chosen === 'w1' || chosen === 'w2', `session worker ${chosen}`);
  const finishedEarly = await Promise.race([reading.then(() => true), sleep(0).then(() => false)]);
  assert.equal(finishedEarly, false, 'the worker is stopped while the player is still reading');
  const victim = pipeline.workers.get(chosen) ?? assert.fail('no such worker');
  const victimEncoders = await encodersOf(victim.pid!);
  await killChild(victim);
  // The stopped worker may have run ahead to the end: forget the cache so what is left comes from the other one.
  await redis.del(keys.segmentIndex('e2e', 'legacy-180p'));
  const result = await reading;
  assert.deepEqual(result, { code: 0, stderr: '' });
  for (const pid of victimEncoders) assert.equal(isProcessAlive(pid), false, `ffmpeg ${pid} outlived its worker`);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: AS_ADMIN })).body;
  const lines = metrics.split('\n').filter((line) => /^kiln_api_(segment_cache|scheduling_decisions)_total/.test(line));
  process.stdout.write(`# ${lines.join('\n# ')}\n`);
  assert.match(metrics, /kiln_api_scheduling_decisions_total\{decision="switched"\} [1-9]/, 'what was left came from the other worker');
});
