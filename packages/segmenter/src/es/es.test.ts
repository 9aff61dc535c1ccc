import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adtsFrame, h264AccessUnit, hevcAccessUnit } from '../testing/builders.js';
import { AdtsFrameCounter, parseAdtsHeader } from './aac.js';
import { AccessUnitKeyScanner, KEY_NO, KEY_UNDECIDED, KEY_YES } from './annexb.js';
import { classifyH264Nal } from './h264.js';
import { classifyHevcNal } from './hevc.js';

function verdictSplitAt(scanner: AccessUnitKeyScanner, bytes: Uint8Array, split: number): number {
  scanner.reset();
  const first = scanner.feed(bytes, 0, split);
  return first === KEY_UNDECIDED ? scanner.feed(bytes, split, bytes.length) : first;
}

test('H.264: IDR and non-IDR access units, whatever byte the payload splits at', () => {
  const scanner = new AccessUnitKeyScanner(classifyH264Nal);
  const idr = h264AccessUnit(true, 40);
  const nonIdr = h264AccessUnit(false, 40);
  for (let split = 0; split <= 30; split++) {
    assert.equal(verdictSplitAt(scanner, idr, split), KEY_YES, `IDR split at ${split}`);
    assert.equal(verdictSplitAt(scanner, nonIdr, split), KEY_NO, `non-IDR split at ${split}`);
  }
});

test('HEVC: IRAP types 16..23 are key, trailing pictures are not, parameter sets are skipped', () => {
  const scanner = new AccessUnitKeyScanner(classifyHevcNal);
  for (let split = 0; split <= 30; split++) {
    assert.equal(verdictSplitAt(scanner, hevcAccessUnit(true, 40), split), KEY_YES);
    assert.equal(verdictSplitAt(scanner, hevcAccessUnit(false, 40), split), KEY_NO);
  }
  assert.equal(classifyHevcNal(21 << 1), 1); // CRA
  assert.equal(classifyHevcNal(16 << 1), 1); // BLA_W_LP
  assert.equal(classifyHevcNal(24 << 1), 0); // reserved VCL, not IRAP
  assert.equal(classifyHevcNal(39 << 1), -1); // prefix SEI
});

test('the scanner gives up (not key) after its byte limit', () => {
  const scanner = new AccessUnitKeyScanner(classifyH264Nal, 100);
  const noSlice = new Uint8Array(200).fill(0x55);
  assert.equal(scanner.feed(noSlice, 0, 200), KEY_NO);
  assert.equal(scanner.limitReached, true);
});

test('ADTS header: length, rate, samples; a bad syncword is invalid', () => {
  assert.deepEqual(parseAdtsHeader(adtsFrame(300), 0, 300), { kind: 'ok', value: { frameLength: 300, sampleRate: 48000, samples: 1024 } });
  assert.equal(parseAdtsHeader(adtsFrame(300), 0, 5).kind, 'need-more-data');
  const bad = adtsFrame(300);
  bad[1] = 0x11;
  assert.equal(parseAdtsHeader(bad, 0, 300).kind, 'invalid');
});

test('the ADTS counter counts frames fed in pieces', () => {
  const frames = new Uint8Array(3 * 250);
  for (let i = 0; i < 3; i++) frames.set(adtsFrame(250), i * 250);
  const counter = new AdtsFrameCounter();
  for (let at = 0; at < frames.length; at += 7) counter.feed(frames, at, Math.min(frames.length, at + 7));
  assert.equal(counter.samples, 3 * 1024);
  assert.equal(counter.durationTicks, 5760);
  assert.equal(counter.invalid, false);
});
