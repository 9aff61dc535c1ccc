import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { AS_ADMIN, startHarness, type Harness } from '../testing/harness.js';
import { createVideoRepository } from './repository.js';
import { registerVideoFromSource } from './register.js';

let h: Harness;
let dir: string;

before(async () => {
  h = await startHarness();
  dir = await makeTempDir('kiln-api-media-');
  const lavfi = ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3'];
  await runFfmpeg(['-v', 'error', ...lavfi, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', join(dir, 'av.mp4')]);
  await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2.5', '-c:a', 'aac', join(dir, 'audio.m4a')]);
  await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'color=size=16x16:duration=1', '-frames:v', '1', join(dir, 'still.png')]);
});
after(async () => {
  await h.stop();
  await removeTempDir(dir);
});
beforeEach(() => h.reset());

async function register(videoId: string, file: string) {
  await h.storage.put(`sources/${file}`, await readFile(join(dir, file)));
  return registerVideoFromSource({ storage: h.storage, videos: createVideoRepository(h.redis, h.keys), videoId, sourceKey: `sources/${file}` });
}

interface VideoBody {
  state: string;
  duration: number;
  size: number;
  renditions: { id: string; kind: string; width?: number; height?: number; frameRate?: number; codecs: string; segments: number }[];
  error?: { code: string };
}

test('a video registered from its source shows state, exact duration, size and every profile\'s renditions', async () => {
  const record = await register('av', 'av.mp4');
  assert.deepEqual(record.picture && [record.picture.width, record.picture.height, record.picture.frameRate], [320, 180, { num: 25, den: 1 }]);
  const response = await h.build().inject({ method: 'GET', url: '/v1/videos/av', headers: AS_ADMIN });
  assert.equal(response.statusCode, 200);
  const body = response.json<VideoBody>();
  assert.equal(body.state, 'ready');
  assert.equal(body.duration, 3);
  assert.equal(body.size, (await readFile(join(dir, 'av.mp4'))).length);
  assert.deepEqual(body.renditions.map((r) => [r.id, r.width, r.height, r.frameRate, r.codecs, r.segments]), [
    ['legacy-180p', 320, 180, 25, 'avc1.42c01e,mp4a.40.2', 2],
    ['mobile-180p', 320, 180, 25, 'avc1.4d401f,mp4a.40.2', 2],
    ['desktop-180p', 320, 180, 25, 'avc1.640028,mp4a.40.2', 2],
  ]);
});

test('an audio-only source gets audio renditions; a picture without duration or sound fails with a code', async () => {
  await register('a', 'audio.m4a');
  const audio = (await h.build().inject({ method: 'GET', url: '/v1/videos/a', headers: AS_ADMIN })).json<VideoBody>();
  assert.equal(audio.state, 'ready');
  assert.deepEqual(audio.renditions.map((r) => [r.id, r.kind, r.codecs]), [
    ['legacy-audio-64k', 'audio', 'mp4a.40.2'],
    ['mobile-audio-64k', 'audio', 'mp4a.40.2'],
    ['mobile-audio-128k', 'audio', 'mp4a.40.2'],
    ['desktop-audio-64k', 'audio', 'mp4a.40.2'],
    ['desktop-audio-128k', 'audio', 'mp4a.40.2'],
  ]);
  await register('still', 'still.png');
  const still = (await h.build().inject({ method: 'GET', url: '/v1/videos/still', headers: AS_ADMIN })).json<VideoBody>();
  assert.deepEqual([still.state, still.error?.code, still.renditions], ['failed', 'NOT_A_VIDEO', []]);
  const link = await h.build().inject({ method: 'POST', url: '/v1/videos/still/playback', headers: AS_ADMIN });
  assert.deepEqual([link.statusCode, link.json<{ code: string }>().code], [409, 'VIDEO_NOT_READY']);
});

test('unknown ids are 404 VIDEO_NOT_FOUND; ids that cannot name a video are 400 BAD_REQUEST', async () => {
  for (const id of ['nope', 'a:b', '*']) {
    const response = await h.build().inject({ method: 'GET', url: `/v1/videos/${encodeURIComponent(id)}`, headers: AS_ADMIN });
    assert.equal(response.statusCode, id === 'nope' ? 404 : 400, id);
  }
});
