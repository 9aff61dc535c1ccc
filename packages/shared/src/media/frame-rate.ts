/**
 * Frame rates: the one rule that reads a source's rate from ffprobe and chooses the constant rate
 * its output has, and the master playlist's FRAME-RATE attribute.
 */
import { probeFrameRate, type ProbeStream } from '../ffmpeg/ffprobe.js';
import type { Rational } from '../schedule/rational.js';
import { formatDecimal, rational } from '../schedule/rational.js';

/**
 * FRAME-RATE: a decimal with three digits (RFC 8216 4.3.4.2), rounded exactly from the fraction,
 * so 30000/1001 reads 29.970 and 24000/1001 23.976.
 */
export function formatFrameRate(frameRate: Rational): string {
  return formatDecimal(frameRate, 3);
}

/** Output rates a player expects; a VFR or odd-rate source is snapped to the nearest. */
export const STANDARD_FRAME_RATES: readonly Rational[] = [
  rational(10), rational(12), rational(25, 2), rational(15), rational(24000, 1001), rational(24), rational(25),
  rational(30000, 1001), rational(30), rational(48), rational(50), rational(60000, 1001), rational(60),
];

const value = (rate: Rational): number => rate.num / rate.den;

/** The standard rate nearest to `fps` by ratio (so 10.5 → 10 and 90 → 60); ties go to the lower. */
export function nearestStandardRate(fps: number): Rational {
  let best = STANDARD_FRAME_RATES[0] ?? rational(25);
  for (const rate of STANDARD_FRAME_RATES) {
    if (Math.abs(Math.log(value(rate) / fps)) < Math.abs(Math.log(value(best) / fps))) best = rate;
  }
  return best;
}

/** Rates above this are timestamp grids (1000 for ms time bases), not frame rates. */
const PLAUSIBLE_FPS = 240;

const plausible = (rate: Rational | undefined): number | undefined =>
  rate !== undefined && value(rate) <= PLAUSIBLE_FPS ? value(rate) : undefined;

/** What a demux of a stream counted: its timed packets and the seconds from the first to the last. */
export interface PacketCount {
  readonly packets: number;
  readonly seconds: number;
}

/**
 * The source's average frame rate: ffprobe's avg_frame_rate when it is plausible, else the rate
 * measured from the packets (mkv and flv report 1000/1; asf reports nothing), else r_frame_rate.
 */
export function averageFrameRate(stream: ProbeStream, measured?: PacketCount): number | undefined {
  const average = plausible(probeFrameRate(stream.avg_frame_rate));
  if (average !== undefined) return average;
  if (measured !== undefined && measured.packets >= 2 && measured.seconds > 0) {
    const fps = (measured.packets - 1) / measured.seconds;
    if (fps > 0 && fps <= PLAUSIBLE_FPS) return fps;
  }
  return plausible(probeFrameRate(stream.r_frame_rate));
}

/**
 * The output's constant rate. A source that only drops frames from a standard nominal rate keeps
 * it (27.5 average at a nominal 30 → 30); anything else snaps to the standard rate nearest its average.
 */
export function outputFrameRate(stream: ProbeStream, averageFps: number): Rational {
  const nominal = probeFrameRate(stream.r_frame_rate);
  const standard = STANDARD_FRAME_RATES.find((rate) => nominal !== undefined && rate.num === nominal.num && rate.den === nominal.den);
  const ratio = standard === undefined ? 0 : averageFps / value(standard);
  return standard !== undefined && ratio >= 0.85 && ratio <= 1.01 ? standard : nearestStandardRate(averageFps);
}

/** True when the nominal and average rates disagree by more than 1 %: frames are not evenly spaced. */
export function looksVariable(stream: ProbeStream, averageFps: number): boolean {
  const nominal = probeFrameRate(stream.r_frame_rate);
  return nominal === undefined || Math.abs(value(nominal) / averageFps - 1) > 0.01;
}
