import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFfmpeg } from './run.js';
import {
  FORBIDDEN_DEMUXERS, FORBIDDEN_PROTOCOLS, INGEST_DEMUXERS, LOCAL_PROTOCOLS, LOOPBACK_PROTOCOLS, MP4_DEMUXERS, whitelistArgs,
} from './whitelists.js';

const LISTS = { INGEST_DEMUXERS, MP4_DEMUXERS };

test('no demuxer list names a demuxer that opens further files or URLs', () => {
  for (const [name, list] of Object.entries(LISTS)) {
    assert.deepEqual(list.filter((demuxer) => FORBIDDEN_DEMUXERS.includes(demuxer)), [], name);
  }
  for (const list of [LOCAL_PROTOCOLS, LOOPBACK_PROTOCOLS]) {
    assert.deepEqual(list.filter((protocol) => FORBIDDEN_PROTOCOLS.includes(protocol)), []);
  }
});

test('whitelistArgs refuses an empty list and a forbidden name', () => {
  assert.deepEqual(whitelistArgs({ protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS }), [
    '-protocol_whitelist', 'file,pipe', '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2',
  ]);
  assert.throws(() => whitelistArgs({ protocols: LOCAL_PROTOCOLS, formats: [] }), RangeError);
  assert.throws(() => whitelistArgs({ protocols: [], formats: MP4_DEMUXERS }), RangeError);
  for (const demuxer of ['hls', 'dash', 'concat', 'image2', 'tty']) {
    assert.throws(() => whitelistArgs({ protocols: LOCAL_PROTOCOLS, formats: ['mov', demuxer] }), new RegExp(demuxer));
  }
  assert.throws(() => whitelistArgs({ protocols: ['file', 'concat'], formats: MP4_DEMUXERS }), /concat/);
});

/** The installed ffmpeg's demuxers, each name of a multi-name one (`mov,mp4,m4a,…`) apart. */
async function installedDemuxers(): Promise<Set<string>> {
  const { stdout } = await runFfmpeg(['-hide_banner', '-demuxers']);
  const names = stdout.toString('utf8').split('\n').flatMap((line) => /^ D\S*\s+(\S+)/.exec(line)?.[1]?.split(',') ?? []);
  return new Set(names);
}

test('every listed demuxer exists in this ffmpeg, so a typo cannot drop a container unnoticed', async () => {
  const installed = await installedDemuxers();
  assert.ok(installed.has('hls') && installed.has('concat'), 'the listing was read');
  for (const [name, list] of Object.entries(LISTS)) {
    assert.deepEqual(list.filter((demuxer) => !installed.has(demuxer)), [], name);
  }
});
