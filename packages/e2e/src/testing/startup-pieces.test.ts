import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rational } from '@kiln/shared';
import { findRendition, type TranscodeFacts } from '@kiln/worker';
import { parseCounters } from './cluster-state.js';
import { peerArgs, peerPlaylist } from './naive-peer.js';
import { startVariant } from './start-variant.js';

const FACTS: TranscodeFacts = {
  duration: rational(12),
  video: { index: 0, codec: 'h264', width: 1280, height: 720, rotation: 0, frameRate: rational(30), interlaced: false, highBitDepth: false, hdr: false },
  audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000 },
};

test('the start variant is the first one listed, whatever its bandwidth, with x264 profile and level from CODECS', () => {
  const master = ['#EXTM3U', '#EXT-X-VERSION:3',
    '#EXT-X-STREAM-INF:BANDWIDTH=3450000,AVERAGE-BANDWIDTH=3300000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000',
    'mobile-720p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=350000,CODECS="avc1.42c015,mp4a.40.2",RESOLUTION=416x234,FRAME-RATE=30.000',
    'mobile-234p/index.m3u8', ''].join('\n');
  assert.deepEqual(startVariant(master), {
    uri: 'mobile-720p/index.m3u8', width: 1280, height: 720, frameRate: 30, bandwidth: 3_450_000, averageBandwidth: 3_300_000, profile: 'main', level: '3.1',
  });
  assert.throws(() => startVariant('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.2"\naudio/index.m3u8\n'), /no H\.264 variant/);
});

test('worker counters: unlabelled samples by name, comments and labelled samples skipped', () => {
  const text = '# HELP kiln_worker_transcodes_started_total x\n# TYPE kiln_worker_transcodes_started_total counter\n' +
    'kiln_worker_transcodes_started_total 3\nkiln_worker_segments_served_total{source="memory"} 9\nkiln_worker_encode_speed 1.25\n';
  assert.deepEqual([...parseCounters(text)], [['kiln_worker_transcodes_started_total', 3], ['kiln_worker_encode_speed', 1.25]]);
});

test('the naive peer lists every planned segment and makes IDRs on the boundaries only, into ffmpeg\'s HLS muxer', () => {
  const rendition = findRendition(FACTS, 'mobile-360p');
  // 12 s on 2, 2, 3, 3, … is 2 + 2 + 3 + 3 + 2.
  assert.deepEqual([...peerPlaylist(rendition.plan).matchAll(/#EXTINF:([\d.]+),\n(\d+)\.ts/g)].map((m) => [Number(m[1]), Number(m[2])]),
    [[2, 0], [2, 1], [3, 2], [3, 3], [2, 4]]);
  assert.match(peerPlaylist(rendition.plan), /#EXT-X-PLAYLIST-TYPE:VOD[\s\S]*#EXT-X-ENDLIST\n$/);
  const args = peerArgs('/in.mp4', FACTS, rendition, 'veryfast', '/tmp/peer');
  assert.equal(args[args.indexOf('-force_key_frames') + 1], '0,2,4,7,10');
  assert.equal(args.includes('-output_ts_offset'), false);
  assert.deepEqual(args.slice(args.indexOf('-f')), ['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
    '-start_number', '0', '-hls_segment_filename', '/tmp/peer/%d.ts', '/tmp/peer/ffmpeg.m3u8']);
  assert.equal(args[args.indexOf('-preset') + 1], 'veryfast');
});
