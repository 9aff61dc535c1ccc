import assert from 'node:assert/strict';
import { test } from 'node:test';
import { viewPipeInputArgs, viewUrlInputArgs } from './ffmpeg-input.js';

const MP4_DEMUXER = 'mov,mp4,m4a,3gp,3g2,mj2';

test('the URL input allows only http and tcp, only the mov demuxer, and seeks before -i', () => {
  assert.deepEqual(viewUrlInputArgs('http://127.0.0.1:4000/source.mp4', { seekSeconds: 30 }), [
    '-ss', '30.000', '-protocol_whitelist', 'http,tcp', '-format_whitelist', MP4_DEMUXER, '-f', 'mov', '-i', 'http://127.0.0.1:4000/source.mp4',
  ]);
  assert.deepEqual(viewUrlInputArgs('http://127.0.0.1:4000/source.mp4').slice(0, 2), ['-protocol_whitelist', 'http,tcp']);
});

test('only loopback URLs are accepted', () => {
  assert.throws(() => viewUrlInputArgs('http://example.com/a.mp4'), /loopback/);
  assert.throws(() => viewUrlInputArgs('file:///etc/passwd'), /loopback/);
});

test('the pipe input allows only the pipe protocol', () => {
  assert.deepEqual(viewPipeInputArgs(), ['-protocol_whitelist', 'pipe', '-format_whitelist', MP4_DEMUXER, '-f', 'mov', '-i', 'pipe:0']);
});
