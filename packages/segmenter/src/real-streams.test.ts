/**
 * Real streams made by ffmpeg at test time (libx264/libx265/aac, key frames forced every second):
 * every segment decodes on its own and starts on a key frame, durations match the schedule to
 * the frame, and the packet-conservation property holds.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { boundariesFromDurations } from './duration-boundaries.js';
import { segmentBytes, type Segment } from './segment.js';
import { assertConservation, assertContinuity, packetsOf, runSegmenter } from './testing/checks.js';

const run = promisify(execFile);
const SCHEDULE = [2, 2, 3, 3, 4, 4, 5];
const SECONDS = 11; // 2+2+3+3 and a last, shorter one
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-segmenter-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Encode {
  readonly fps: string;
  readonly audio: boolean;
  readonly video?: 'libx264' | 'libx265' | 'none';
}

async function makeStream(encode: Encode): Promise<Uint8Array> {
  const video = encode.video ?? 'libx264';
  const args = ['-v', 'error', '-nostdin'];
  if (video !== 'none') args.push('-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${encode.fps}`);
  if (encode.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(SECONDS));
  if (video !== 'none') {
    args.push('-c:v', video, '-preset', 'veryfast', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*1)');
    if (video === 'libx265') args.push('-x265-params', 'log-level=error:no-open-gop=1');
  }
  // One AAC frame per PES, so audio-only cuts land within one frame of the boundary.
  if (encode.audio) args.push('-c:a', 'aac', '-b:a', '64k', '-pes_payload_size', '0');
  args.push('-f', 'mpegts', '-');
  const { stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return new Uint8Array(stdout);
}

interface ProbedFrame {
  readonly key: boolean;
  readonly pictType: string;
}

/** Decodes the whole segment alone; returns its video frames and ffprobe's complaints. */
async function probeSegment(segment: Segment, name: string, stream: 'v' | 'a'): Promise<{ frames: ProbedFrame[]; stderr: string }> {
  const path = join(dir, name);
  await writeFile(path, segmentBytes(segment));
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'frame=key_frame,pict_type', '-of', 'csv=p=0', path]);
  const frames = stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [key, pictType] = line.split(',');
      return { key: key === '1', pictType: pictType ?? '' };
    });
  return { frames, stderr };
}

/** Frames in segment k at `fps`: the frame starting it is ceil(t_k·fps). */
function expectedFrames(fps: number, total: number): number[] {
  const starts = [0, 2, 4, 7, 10].map((t) => Math.ceil(t * fps - 1e-9));
  return starts.map((s, k) => (starts[k + 1] ?? total) - s);
}

function parseFps(fps: string): number {
  const [n, d] = fps.split('/').map(Number);
  return n / (d ?? 1);
}

const VIDEO_CASES: Encode[] = [
  { fps: '24000/1001', audio: false },
  { fps: '24', audio: true },
  { fps: '25', audio: false },
  { fps: '30000/1001', audio: true },
  { fps: '30', audio: false },
  { fps: '50', audio: true },
  { fps: '60000/1001', audio: false },
  { fps: '60', audio: true },
];

for (const encode of VIDEO_CASES) {
  test(`H.264 ${encode.fps} fps ${encode.audio ? 'with' : 'without'} audio: IDR-aligned, frame-exact segments`, async () => {
    const fps = parseFps(encode.fps);
    const bytes = await makeStream(encode);
    const { segments, segmenter } = runSegmenter(bytes, { boundaryPts: boundariesFromDurations(SCHEDULE), origin: 'relative' }, 65536);
    const totalFrames = Math.round(SECONDS * fps - 1e-9);
    const expected = expectedFrames(fps, totalFrames);
    assert.deepEqual(segments.map((s) => s.accessUnits), expected, 'frames per segment');
    assert.deepEqual(segments.map((s) => Math.round((s.durationTicks * fps) / 90_000)), expected, 'durations to the frame');
    assert.ok(segments.every((s) => s.startsWithKeyframe && s.onSchedule), 'all on schedule');
    assert.deepEqual(segmenter.stats.issues, {});
    assertConservation(packetsOf(bytes), segments);
    for (const [k, segment] of segments.entries()) {
      assertContinuity(segment);
      const { frames, stderr } = await probeSegment(segment, `${k}.ts`, 'v');
      assert.equal(stderr, '', `segment ${k} decodes without errors`);
      assert.equal(frames.length, expected[k], `segment ${k} decodes all its frames alone`);
      assert.deepEqual(frames[0], { key: true, pictType: 'I' }, `segment ${k} starts on a key frame`);
    }
  });
}

test('HEVC 25 fps: cut at IRAP pictures, each segment decodes alone', async () => {
  const bytes = await makeStream({ fps: '25', audio: false, video: 'libx265' });
  const { segments } = runSegmenter(bytes, { boundaryPts: boundariesFromDurations(SCHEDULE), origin: 'relative' });
  assert.deepEqual(segments.map((s) => s.accessUnits), expectedFrames(25, 275));
  assertConservation(packetsOf(bytes), segments);
  for (const [k, segment] of segments.entries()) {
    const { frames, stderr } = await probeSegment(segment, `hevc-${k}.ts`, 'v');
    assert.equal(stderr, '');
    assert.equal(frames[0]?.key, true);
  }
});

test('audio-only AAC: cuts within one AAC frame after each boundary', async () => {
  const bytes = await makeStream({ fps: '25', audio: true, video: 'none' });
  const { segments } = runSegmenter(bytes, { boundaryPts: boundariesFromDurations(SCHEDULE), origin: 'relative' });
  const origin = segments[0].startPts!;
  const aacFrame = (1024 * 90_000) / 48_000;
  assert.equal(segments.length, 5);
  for (const [k, segment] of segments.entries()) {
    const late = segment.startPts! - origin - [0, 2, 4, 7, 10][k] * 90_000;
    assert.ok(late >= 0 && late < aacFrame, `segment ${k} starts ${late} ticks after its boundary`);
    const { stderr } = await probeSegment(segment, `aac-${k}.ts`, 'a');
    assert.equal(stderr, '');
  }
  // One AAC frame per PES: the measured durations add up to the frames, priming included.
  const total = segments.reduce((n, s) => n + s.durationTicks, 0);
  const units = segments.reduce((n, s) => n + s.accessUnits, 0);
  assert.equal(total, units * aacFrame);
  assert.ok(units >= (SECONDS * 48_000) / 1024, `${units} AAC frames`);
  assertConservation(packetsOf(bytes), segments);
});
