import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { isKilnError } from '../errors.js';
import { isProcessAlive } from '../process-status.js';
import { formatCommandLine, spawnMediaTool } from './process.js';
import { LOCAL_PROTOCOLS, MP4_DEMUXERS, ffprobe, ffprobeArgs, parseProbeOutput, probeFrameRate, runFfmpeg, spawnFfmpeg, streamRotation } from './index.js';


test('ffprobe arguments always restrict protocols and formats', () => {
  assert.deepEqual(ffprobeArgs('in.mp4', { protocols: ['file'], formats: ['mov', 'mp4'] }), [
    '-v', 'error', '-protocol_whitelist', 'file', '-format_whitelist', 'mov,mp4', '-print_format', 'json', '-show_format', '-show_streams', 'in.mp4',
  ]);
  assert.throws(() => ffprobeArgs('in.m3u8', { protocols: ['file'], formats: [] }), RangeError);
  assert.throws(() => ffprobeArgs('in.m3u8', { protocols: ['file'], formats: ['mov', 'hls'] }), /hls/);
});

test('a format outside the whitelist is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-ffmpeg-'));
  try {
    const out = join(dir, 'clip.ts');
    await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=0.2:s=64x48', '-c:v', 'libx264', '-f', 'mpegts', out]);
    await assert.rejects(ffprobe(out, { protocols: LOCAL_PROTOCOLS, formats: ['mov', 'mp4'] }), { code: 'FFPROBE_FAILED' });
    assert.equal((await ffprobe(out, { protocols: LOCAL_PROTOCOLS, formats: ['mpegts'] })).format?.format_name, 'mpegts');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('command lines are quoted for a shell', () => {
  assert.equal(formatCommandLine('ffmpeg', ['-i', 'a b.mp4', "it's"]), `ffmpeg -i 'a b.mp4' 'it'\\''s'`);
});

test('rationals and rotation are read the way players read them', () => {
  assert.deepEqual(probeFrameRate('30000/1001'), { num: 30000, den: 1001 });
  assert.deepEqual(probeFrameRate('50/2'), { num: 25, den: 1 });
  assert.equal(probeFrameRate('0/0'), undefined);
  const probe = parseProbeOutput(JSON.stringify({
    streams: [{ index: 0, codec_type: 'video', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }], tags: { rotate: '180' } }],
  }));
  assert.equal(streamRotation(probe.streams[0]), 270);
});

test('runFfmpeg makes a real clip and ffprobe reads it back typed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-ffmpeg-'));
  try {
    const out = join(dir, 'clip.ts');
    await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=160x120:r=25', '-f', 'lavfi', '-i', 'sine=d=1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mpegts', out]);
    const probe = await ffprobe(out, { protocols: LOCAL_PROTOCOLS, formats: ['mpegts'] });
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(video?.codec_name, 'h264');
    assert.equal(video?.width, 160);
    assert.deepEqual(probeFrameRate(video?.r_frame_rate), { num: 25, den: 1 });
    assert.ok(probe.streams.some((s) => s.codec_type === 'audio'));
    assert.ok((probe.format?.duration ?? 0) > 0.9);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failing run carries the command line and the stderr tail', async () => {
  await assert.rejects(runFfmpeg(['-v', 'error', '-i', '/nonexistent/input.mp4', '-f', 'null', '-']), (error) => {
    assert.ok(isKilnError(error));
    assert.equal(error.code, 'FFMPEG_FAILED');
    assert.match(String(error.details?.commandLine), /\/nonexistent\/input\.mp4/);
    assert.match(String(error.details?.stderr), /No such file/);
    return true;
  });
  await assert.rejects(ffprobe('/nonexistent/input.mp4', { protocols: LOCAL_PROTOCOLS, formats: MP4_DEMUXERS }), { code: 'FFPROBE_FAILED' });
});

test('stdin input is piped to ffmpeg', async () => {
  const { stdout: ts } = await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=0.5:s=64x48', '-c:v', 'libx264', '-f', 'mpegts', 'pipe:1']);
  const { stdout } = await runFfmpeg(['-v', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], { input: ts });
  assert.ok(stdout.toString().split('\n').filter((line) => /^0,/.test(line)).length > 5);
});

test('fd3: a second output beside stdout, read while stdout is', async () => {
  const child = spawnFfmpeg([
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48:r=10',
    '-map', '0', '-c:v', 'rawvideo', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1',
    '-map', '0', '-frames:v', '2', '-c:v', 'rawvideo', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:3',
  ], { fd3: 'pipe' });
  const read = async (stream: AsyncIterable<Buffer>) => {
    let bytes = 0;
    for await (const chunk of stream) bytes += chunk.length;
    return bytes;
  };
  const [main, second] = await Promise.all([read(child.stdout!), read(child.fd3!), child.done]);
  assert.equal(main, 10 * 64 * 48);
  assert.equal(second, 2 * 64 * 48);
  const plain = spawnFfmpeg(['-version'], { stdout: 'ignore' });
  assert.equal(plain.fd3, null);
  await plain.done;
});

test('extraOutputs: outputs on fd 3 and 4 beside stdout; niceness runs ffmpeg under nice', async () => {
  const output = (frames: number, fd: number) => ['-map', '0', '-frames:v', String(frames), '-c:v', 'rawvideo', '-pix_fmt', 'gray', '-f', 'rawvideo', `pipe:${fd}`];
  const child = spawnFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48:r=10', ...output(10, 1), ...output(2, 3), ...output(3, 4)], { extraOutputs: 2, niceness: 7 });
  assert.equal(child.outputs.length, 2);
  assert.match(child.commandLine, /^nice -n 7 ffmpeg /);
  const read = async (stream: AsyncIterable<Buffer>) => {
    let bytes = 0;
    for await (const chunk of stream) bytes += chunk.length;
    return bytes;
  };
  const sizes = await Promise.all([read(child.stdout!), ...child.outputs.map(read), child.done]);
  assert.deepEqual(sizes.slice(0, 3), [10, 2, 3].map((frames) => frames * 64 * 48));
  assert.equal(child.fd3, null);
});

test('a missing binary is FFMPEG_NOT_FOUND', async () => {
  const child = spawnMediaTool('/nonexistent/ffmpeg', ['-version']);
  await assert.rejects(child.done, { code: 'FFMPEG_NOT_FOUND' });
});

test('aborting kills the whole process group, leaving nothing running', async () => {
  const controller = new AbortController();
  const child = spawnFfmpeg(['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=d=60', '-f', 'null', '-'], { signal: controller.signal });
  child.stdout!.resume();
  child.pause();
  controller.abort();
  await assert.rejects(child.done, { code: 'FFMPEG_ABORTED' });
  assert.equal(isProcessAlive(child.pid), false);
});

test('the local ffmpeg has the encoders Kiln needs, and a missing one is named', async () => {
  const { assertEncodersAvailable, parseEncoderList } = await import('./encoders.js');
  await assertEncodersAvailable();
  await assert.rejects(assertEncodersAvailable(['libx264', 'no-such-encoder']), (error) => {
    assert.ok(isKilnError(error) && error.code === 'FFMPEG_NOT_FOUND');
    assert.match(error.message, /no-such-encoder/);
    assert.doesNotMatch(error.message, /libx264/);
    return true;
  });
  assert.deepEqual([...parseEncoderList(' V....D libx264              libx264 H.264\n A....D aac  AAC\n ------\n')], ['libx264', 'aac']);
});

test('a faster preset is the next one toward ultrafast, which has none faster', async () => {
  const { X264_PRESETS, fasterPreset } = await import('./encoders.js');
  assert.deepEqual(X264_PRESETS.map(fasterPreset), ['ultrafast', 'ultrafast', 'superfast', 'veryfast', 'faster', 'fast']);
});

test('an ffmpeg, even a paused one, does not outlive a process killed outright', async () => {
  const { spawn } = await import('node:child_process');
  // Resolved with `require.resolve` so that the dependency checker sees what the test runs.
  const require = createRequire(import.meta.url);
  const fixture = require.resolve('../testing/fixtures/spawn-paused-ffmpeg.ts');
  const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ffmpegPid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))));
  assert.equal(isProcessAlive(ffmpegPid), true);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (isProcessAlive(ffmpegPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(isProcessAlive(ffmpegPid), false, 'the watchdog killed the orphaned ffmpeg');
});
