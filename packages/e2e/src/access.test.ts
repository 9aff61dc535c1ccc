/**
 * Access control as a user meets it, on `kiln up` with KILN_API_KEYS: every management route
 * refuses a missing or wrong key with a stable code and works with the key; a resumable upload
 * carries it; the playback URL then plays in Chromium with no key at all, and a keyless DELETE
 * changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { runFfmpeg } from '@kiln/shared';
import { makeTempDir, removeTempDir, waitFor } from '@kiln/shared/testing';
import { KILN_BIN } from './testing/kiln-processes.js';
import { launchPlayer, unexpectedErrors, type Player } from './testing/player.js';

const KEY = 'kiln_access-test-key-0123456789abcdef';
const AUTH = { authorization: `Bearer ${KEY}` };
const WRONG = { authorization: 'Bearer kiln_not-the-key-0123456789abcdef' };

let dir: string;
let source: string;
let up: ChildProcess;
let base: string;
let player: Player;

before(async () => {
  dir = await makeTempDir('kiln-access-');
  source = join(dir, 'clip.mp4');
  await runFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', source,
  ]);
  up = spawn(process.execPath, [KILN_BIN, 'up'], {
    env: { ...process.env, KILN_DATA_DIR: join(dir, 'data'), KILN_API_PORT: '0', KILN_LOG_LEVEL: 'warn', KILN_API_KEYS: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  up.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  up.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor('kiln up', () => /Kiln is up: http/.test(output));
  base = /Kiln is up: (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  assert.ok(!output.includes(KEY), 'a key given in KILN_API_KEYS is not printed');
  player = await launchPlayer();
});

after(async () => {
  await player?.close();
  if (up !== undefined && up.exitCode === null) {
    up.kill('SIGTERM');
    await once(up, 'exit');
  }
  await removeTempDir(dir);
});

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { code: string }).code;
}

/** The four management routes, asked with `headers`. */
function management(headers: Record<string, string>, id: string): Promise<Response>[] {
  return [
    fetch(`${base}/v1/videos`, { method: 'POST', body: 'not a video', headers }),
    fetch(`${base}/v1/videos/${id}`, { headers }),
    fetch(`${base}/v1/videos/${id}/playback`, { method: 'POST', headers }),
    fetch(`${base}/v1/videos/${id}`, { method: 'DELETE', headers }),
  ];
}

function tusUpload(file: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: `${base}/v1/videos`, headers: AUTH, chunkSize: 256 * 1024, retryDelays: [100, 500],
      metadata: { filename: 'clip.mp4', filetype: 'video/mp4' },
      onError: reject,
      onSuccess: () => resolve(upload.url?.split('/').pop() ?? ''),
    });
    upload.start();
  });
}

test('without a key or with a wrong one every management route is 401; with it they work, and playback needs none', async () => {
  for (const response of await Promise.all(management({}, 'nope'))) {
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="kiln"');
    assert.equal(await codeOf(response), 'AUTH_REQUIRED');
  }
  for (const response of await Promise.all(management(WRONG, 'nope'))) {
    assert.equal(response.status, 401);
    assert.equal(await codeOf(response), 'AUTH_INVALID');
  }

  const id = await tusUpload(await readFile(source));
  let state = '';
  await waitFor('the upload to settle', async () => {
    state = ((await (await fetch(`${base}/v1/videos/${id}`, { headers: AUTH })).json()) as { state: string }).state;
    return state === 'ready' || state === 'failed';
  }, 1200);
  assert.equal(state, 'ready');
  const link = await fetch(`${base}/v1/videos/${id}/playback`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'mobile' }) });
  assert.equal(link.status, 201);
  const { url } = (await link.json()) as { url: string };

  const keylessDelete = await fetch(`${base}/v1/videos/${id}`, { method: 'DELETE' });
  assert.equal(keylessDelete.status, 401);
  const report = await player.play(url, { rate: 2, deadlineMs: 40_000 });
  assert.ok(report.firstFrameMs !== null, 'a first frame, with no key anywhere in the player');
  assert.equal(report.ended, true, `played to the end (at ${report.currentTime} s)`);
  assert.deepEqual(unexpectedErrors(report), [], `hls.js error events; its warnings:\n${report.log.join('\n')}`);

  assert.equal((await fetch(`${base}/v1/videos/${id}`, { method: 'DELETE', headers: AUTH })).status, 204);
  assert.equal((await fetch(`${base}/v1/videos/${id}`, { headers: AUTH })).status, 404);
});
