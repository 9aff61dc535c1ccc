/**
 * Registering a source reads it as an MP4 only: an HLS playlist put in its place (even named
 * `.mp4`) is registered as failed, without ffprobe reading the local file it names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsStorage, LOCAL_PROTOCOLS, runFfmpeg, runFfprobe, type ObjectStorage, type VideoRecord } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { registerVideoFromSource } from './register.js';
import type { VideoRepository } from './repository.js';

let dir: string;
let storage: ObjectStorage;
let canary: string;
const saved = new Map<string, VideoRecord>();

/** Only `save` is used by registration. */
const videos: VideoRepository = {
  find: (id) => Promise.resolve(saved.get(id)),
  get: (id) => Promise.resolve(saved.get(id)!),
  getPlayable: (id) => Promise.resolve(saved.get(id)!),
  save: (record) => Promise.resolve(void saved.set(record.id, record)),
  remove: (id) => Promise.resolve(void saved.delete(id)),
};

before(async () => {
  dir = await makeTempDir('kiln-api-register-');
  storage = createFsStorage({ root: join(dir, 'storage') });
  canary = join(dir, 'canary.ts');
  await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', canary]);
  await runFfmpeg(['-v', 'error', '-i', canary, '-c', 'copy', '-f', 'mp4', join(dir, 'clip.mp4')]);
  await writeFile(join(dir, 'playlist.mp4'), ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXTINF:1.0,', canary, '#EXT-X-ENDLIST', ''].join('\n'));
});
after(() => removeTempDir(dir));

async function register(videoId: string, file: string): Promise<VideoRecord> {
  await storage.put(`sources/${videoId}.mp4`, await readFile(join(dir, file)));
  return registerVideoFromSource({ storage, videos, videoId, sourceKey: `sources/${videoId}.mp4` });
}

test('control: with the protocol list alone, the playlist reads the file it names', async () => {
  const { stdout } = await runFfprobe(['-v', 'error', '-protocol_whitelist', LOCAL_PROTOCOLS.join(','), '-show_entries', 'format=format_name', '-of', 'csv=p=0', join(dir, 'playlist.mp4')]);
  assert.equal(stdout.toString('utf8').trim(), 'hls');
});

test('an MP4 source is registered ready; a playlist in its place is registered failed, NOT_A_VIDEO', async () => {
  assert.equal((await register('clip', 'clip.mp4')).state, 'ready');
  const playlist = await register('playlist', 'playlist.mp4');
  assert.deepEqual([playlist.state, playlist.error?.code], ['failed', 'NOT_A_VIDEO']);
});
