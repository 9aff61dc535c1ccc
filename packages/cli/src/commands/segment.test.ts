import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runFfmpeg } from '@kiln/shared';

// Resolved with `require.resolve` so that the dependency checker sees what the test runs.
const require = createRequire(import.meta.url);
const KILN = require.resolve('../../bin/kiln.js');

/** Runs the real `kiln` binary with `input` on stdin, as a person would pipe ffmpeg into it. */
function kiln(args: string[], input: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [KILN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('kiln segment cuts piped MPEG-TS on the schedule into segments and a playable playlist', async () => {
  const out = await mkdtemp(join(tmpdir(), 'kiln-segment-'));
  try {
    const { stdout: ts } = await runFfmpeg([
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=d=9:s=160x90:r=25', '-c:v', 'libx264', '-preset', 'ultrafast',
      '-force_key_frames', 'expr:gte(t,n_forced)', '-sc_threshold', '0', '-f', 'mpegts', 'pipe:1',
    ]);
    const result = await kiln(['segment', '--out', out], ts);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 4, 'a 9 s stream on 2,2,3,3… is 2 + 2 + 3 + 2');
    assert.deepEqual((await readdir(out)).sort(), ['00000.ts', '00001.ts', '00002.ts', '00003.ts', 'index.m3u8']);
    const playlist = await readFile(join(out, 'index.m3u8'), 'utf8');
    const extinf = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].map((match) => Number(match[1]));
    assert.deepEqual(extinf, [2, 2, 3, 2]);
    assert.match(playlist, /#EXT-X-ENDLIST/);
    const { stderr } = await runFfmpeg(['-v', 'error', '-protocol_whitelist', 'file', '-i', join(out, 'index.m3u8'), '-f', 'null', '-']);
    assert.equal(stderr.trim(), '', 'the playlist decodes without an error');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('kiln segment refuses a bad schedule and empty input with their exit codes', async () => {
  const out = await mkdtemp(join(tmpdir(), 'kiln-segment-'));
  try {
    assert.equal((await kiln(['segment', '--out', out, '--schedule', '2,zero'], new Uint8Array())).code, 2);
    assert.equal((await kiln(['segment'], new Uint8Array())).code, 2);
    const empty = await kiln(['segment', '--out', out], new Uint8Array());
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no segment/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('kiln with no or an unknown command prints usage and exits 2', async () => {
  const unknown = await kiln(['frobnicate'], new Uint8Array());
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  assert.match(unknown.stderr, /usage: kiln <command>/);
  assert.equal((await kiln([], new Uint8Array())).code, 2);
  assert.equal((await kiln(['--help'], new Uint8Array())).code, 0);
});
