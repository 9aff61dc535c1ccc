import { test } from 'node:test';
import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import { PROFILE_NAMES, rational, toNumber, type ProfileName, type VideoRecord } from '@kiln/shared';
import { renderMasterPlaylist, renderVariantPlaylist, renditionsFor, sharedTargetDuration } from './index.js';
import { sampleAudioOnly, sampleVideo } from '../testing/sample-videos.js';

HLS.setOptions({ strictMode: true });

interface Rendered {
  readonly master: InstanceType<typeof HLS.types.MasterPlaylist>;
  readonly variants: InstanceType<typeof HLS.types.MediaPlaylist>[];
  readonly durations: number[];
  readonly frameSeconds: number[];
}

function render(record: VideoRecord, profile: ProfileName): Rendered {
  const renditions = renditionsFor(record, profile);
  const target = sharedTargetDuration(renditions);
  const master = HLS.parse(renderMasterPlaylist(renditions.map((r) => ({ rung: r.rung, uri: `../../s/token/${r.id}/index.m3u8` }))));
  assert.ok(master.isMasterPlaylist);
  const variants = renditions.map((r) => {
    const text = renderVariantPlaylist({ plan: r.plan, targetDuration: target });
    const media = HLS.parse(text);
    assert.ok(!media.isMasterPlaylist);
    return media;
  });
  return {
    master,
    variants,
    durations: renditions.map((r) => toNumber(r.plan.duration)),
    frameSeconds: renditions.map((r) => (r.rung.kind === 'video' && r.rung.frameRate ? 1 / toNumber(r.rung.frameRate) : 1024 / 48_000)),
  };
}

function checkVariants(rendered: Rendered): void {
  const targets = new Set(rendered.variants.map((v) => v.targetDuration));
  assert.equal(targets.size, 1, 'every variant has the same TARGETDURATION');
  rendered.variants.forEach((variant, i) => {
    assert.equal(variant.version, 3);
    assert.equal(variant.playlistType, 'VOD');
    assert.equal(variant.endlist, true);
    assert.equal(variant.mediaSequenceBase ?? 0, 0);
    const sum = variant.segments.reduce((total, segment) => total + segment.duration, 0);
    assert.ok(Math.abs(sum - (rendered.durations[i] ?? Number.NaN)) < (rendered.frameSeconds[i] ?? 0), `EXTINF sum ${sum} vs ${rendered.durations[i]}`);
    for (const segment of variant.segments) assert.ok(Math.round(segment.duration) <= variant.targetDuration);
    assert.deepEqual(variant.segments.slice(0, 7).map((s) => s.uri), ['0.ts', '1.ts', '2.ts', '3.ts', '4.ts', '5.ts', '6.ts'].slice(0, variant.segments.length));
  });
}

test('a 1080p 29.97 fps source: every profile gets its rungs with declared bandwidth, codecs, size and frame rate', () => {
  const expected: Record<ProfileName, { rungs: string[]; codec: string }> = {
    legacy: { rungs: ['416x234', '640x360'], codec: 'avc1.42c01e,mp4a.40.2' },
    mobile: { rungs: ['416x234', '640x360', '960x540', '1280x720'], codec: 'avc1.4d401f,mp4a.40.2' },
    desktop: { rungs: ['416x234', '640x360', '960x540', '1280x720', '1920x1080'], codec: 'avc1.640028,mp4a.40.2' },
  };
  for (const profile of PROFILE_NAMES) {
    const rendered = render(sampleVideo(), profile);
    const renditions = renditionsFor(sampleVideo(), profile);
    assert.equal(rendered.master.independentSegments, true);
    assert.deepEqual(rendered.master.variants.map((v) => `${v.resolution?.width}x${v.resolution?.height}`), expected[profile].rungs);
    rendered.master.variants.forEach((variant, i) => {
      const rung = renditions[i]?.rung;
      assert.equal(variant.bandwidth, rung?.bandwidth.peak);
      assert.equal(variant.averageBandwidth, rung?.bandwidth.average);
      assert.ok((variant.averageBandwidth ?? Infinity) < variant.bandwidth);
      assert.equal(variant.codecs, expected[profile].codec);
      assert.equal(variant.frameRate, 29.97);
      assert.equal(variant.uri, `../../s/token/${profile}-${rung?.id}/index.m3u8`);
    });
    checkVariants(rendered);
  }
});

test('EXTINF is exact to the frame: 2.002 s at 29.97 fps, and the last segment holds what remains', () => {
  const [lowest] = renditionsFor(sampleVideo(), 'mobile');
  assert.ok(lowest);
  const text = renderVariantPlaylist({ plan: lowest.plan, targetDuration: 5 });
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 8), [
    '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:5', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS', '#EXTINF:2.002000,', '0.ts',
  ]);
  // 61.394333 s at 29.97 fps = 1840 frames; the last segment (58 s) starts at frame ceil(58·29.97) = 1739.
  assert.ok(text.endsWith('#EXTINF:3.370033,\n14.ts\n#EXT-X-ENDLIST\n'), text.slice(-60));
});

test('a target duration below the longest segment is refused rather than written', () => {
  const [lowest] = renditionsFor(sampleVideo(), 'mobile');
  assert.ok(lowest);
  assert.throws(() => renderVariantPlaylist({ plan: lowest.plan, targetDuration: 4 }), RangeError);
});

test('frame rates differ between rungs (60 fps source: 30 fps below 720p) and the target duration is still shared', () => {
  const record = sampleVideo({ duration: rational(12_345, 1000), picture: { width: 1280, height: 720, rotation: 0, frameRate: rational(60) } });
  const rendered = render(record, 'desktop');
  assert.deepEqual(rendered.master.variants.map((v) => v.frameRate), [30, 30, 30, 60]);
  // Main L3.1 cannot carry 720p60: the mobile profile halves it.
  assert.deepEqual(render(record, 'mobile').master.variants.map((v) => v.frameRate), [30, 30, 30, 30]);
  checkVariants(rendered);
});

test('a small 320x180 source gets one rung at its own size; a portrait source keeps its orientation', () => {
  const small = render(sampleVideo({ picture: { width: 320, height: 180, rotation: 0, frameRate: rational(25) } }), 'desktop');
  assert.deepEqual(small.master.variants.map((v) => v.resolution), [{ width: 320, height: 180 }]);
  checkVariants(small);
  const portrait = render(sampleVideo({ picture: { width: 1280, height: 720, rotation: -90, frameRate: rational(30) } }), 'legacy');
  assert.deepEqual(portrait.master.variants.map((v) => v.resolution), [{ width: 234, height: 416 }, { width: 360, height: 640 }]);
});

test('a video without audio declares only the video codec', () => {
  const rendered = render(sampleVideo({ hasAudio: false }), 'mobile');
  for (const variant of rendered.master.variants) assert.equal(variant.codecs, 'avc1.4d401f');
});

test('audio-only sources: AAC variants without RESOLUTION or FRAME-RATE, audio-sized segments', () => {
  const rendered = render(sampleAudioOnly(), 'desktop');
  assert.deepEqual(rendered.master.variants.map((v) => [v.codecs, v.resolution, v.frameRate]), [
    ['mp4a.40.2', undefined, undefined],
    ['mp4a.40.2', undefined, undefined],
  ]);
  assert.deepEqual(render(sampleAudioOnly(), 'legacy').master.variants.length, 1);
  checkVariants(rendered);
  assert.deepEqual(rendered.variants[0]?.segments.map((s) => s.duration), [2, 2, 3, 2.984]);
});
