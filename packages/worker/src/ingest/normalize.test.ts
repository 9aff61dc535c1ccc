import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFsStorage, ffprobe, LOCAL_PROTOCOLS, MP4_DEMUXERS } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { bufferRangeReader } from '../source/index.js';
import { sampleMediaDirectory } from '@kiln/shared/testing';
import { topLevelBoxTypes } from './mp4-layout.js';
import { normalizeSource } from './normalize.js';
import { inspectSource } from './inspect.js';
import type { IngestPlan } from './types.js';

const MP4_INPUT = { protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS };
let dir: string;
before(async () => {
  dir = await makeTempDir('ingest-normalize-test');
});
after(() => removeTempDir(dir));

async function planFor(file: string): Promise<IngestPlan> {
  const { verdict } = await inspectSource(join(sampleMediaDirectory(), file));
  assert.equal(verdict.outcome, 'accepted');
  return verdict.outcome === 'accepted' ? verdict.plan : assert.fail();
}

test('a remuxed MKV goes into object storage as an MP4 with its moov first, and the scratch is emptied', async () => {
  const file = join(sampleMediaDirectory(), 'mkv-h264-ac3.mkv');
  const plan = await planFor('mkv-h264-ac3.mkv');
  const storage = createFsStorage({ root: join(dir, 'bucket') });
  const scratch = join(dir, 'scratch');
  await mkdir(scratch);
  const result = await normalizeSource(file, plan, { target: { storage, key: 'sources/v1/source.mp4' }, scratchDir: scratch });
  assert.equal(result.action, 'remux');
  const types = await topLevelBoxTypes(bufferRangeReader(await storage.getBytes('sources/v1/source.mp4')));
  assert.equal(types[0], 'ftyp');
  assert.ok(types.indexOf('moov') < types.indexOf('mdat'), types.join(' '));
  assert.deepEqual(await readdir(scratch), []);
});

test('a sound MP4 is left as it is: nothing is written', async () => {
  const plan = await planFor('h264-aac-faststart-720p-1s.mp4');
  const target = join(dir, 'untouched.mp4');
  const result = await normalizeSource(join(sampleMediaDirectory(), 'h264-aac-faststart-720p-1s.mp4'), plan, { target: { path: target }, scratchDir: dir });
  assert.deepEqual(result, { action: 'none' });
  await assert.rejects(ffprobe(target, MP4_INPUT));
});

test('a mezzanine of an interlaced capture is progressive, CFR at the planned rate and H.264', async () => {
  const plan = await planFor('mpeg2-interlaced-576i-dvb.ts');
  const target = join(dir, 'mezzanine.mp4');
  await normalizeSource(join(sampleMediaDirectory(), 'mpeg2-interlaced-576i-dvb.ts'), plan, { target: { path: target }, mezzanine: { preset: 'ultrafast' } });
  const video = (await ffprobe(target, MP4_INPUT)).streams.find((stream) => stream.codec_type === 'video');
  assert.equal(video?.codec_name, 'h264');
  assert.equal(video?.r_frame_rate, '25/1');
  assert.notEqual(video?.field_order, 'tt');
});
