/**
 * ISO/IEC 13818-7 / 14496-3 ADTS: the self-delimiting AAC frame header. Audio-only streams are
 * cut on AAC, and the length of their last segment comes from counting frames (1024 samples each).
 */
import { invalid, needMoreData, ok, type ParseResult } from '../parse-result.js';

export const ADTS_HEADER_BYTES = 7;
export const AAC_SAMPLES_PER_FRAME = 1024;

const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AdtsHeader {
  readonly frameLength: number;
  readonly sampleRate: number;
  /** PCM samples in this ADTS frame (1024 per raw data block). */
  readonly samples: number;
}

export function parseAdtsHeader(buf: Uint8Array, i: number, end: number): ParseResult<AdtsHeader> {
  if (end - i < ADTS_HEADER_BYTES) return needMoreData(ADTS_HEADER_BYTES);
  if (buf[i] !== 0xff || (buf[i + 1] & 0xf6) !== 0xf0) return invalid('ADTS_INVALID', 'no ADTS syncword');
  const rateIndex = (buf[i + 2] >> 2) & 0x0f;
  const sampleRate = SAMPLE_RATES[rateIndex];
  if (sampleRate === undefined) return invalid('ADTS_INVALID', `sampling_frequency_index ${rateIndex}`);
  const frameLength = ((buf[i + 3] & 0x03) << 11) | (buf[i + 4] << 3) | (buf[i + 5] >> 5);
  if (frameLength < ADTS_HEADER_BYTES) return invalid('ADTS_INVALID', `frame_length ${frameLength}`);
  const blocks = (buf[i + 6] & 0x03) + 1;
  return ok({ frameLength, sampleRate, samples: blocks * AAC_SAMPLES_PER_FRAME });
}

/** Counts the ADTS frames of one PES payload fed in pieces; stops quietly at the first bad header. */
export class AdtsFrameCounter {
  samples = 0;
  sampleRate = 0;
  invalid = false;
  private skip = 0;
  private readonly header = new Uint8Array(ADTS_HEADER_BYTES);
  private headerFill = 0;

  reset(): void {
    this.samples = 0;
    this.invalid = false;
    this.skip = 0;
    this.headerFill = 0;
  }

  /** Duration of the frames counted so far, in 90 kHz ticks (0 before any frame). */
  get durationTicks(): number {
    return this.sampleRate === 0 ? 0 : (this.samples * 90_000) / this.sampleRate;
  }

  feed(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end && !this.invalid) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const take = Math.min(ADTS_HEADER_BYTES - this.headerFill, end - i);
      this.header.set(buf.subarray(i, i + take), this.headerFill);
      this.headerFill += take;
      i += take;
      if (this.headerFill === ADTS_HEADER_BYTES) this.countFrame();
    }
  }

  private countFrame(): void {
    this.headerFill = 0;
    const parsed = parseAdtsHeader(this.header, 0, ADTS_HEADER_BYTES);
    if (parsed.kind !== 'ok') {
      this.invalid = true;
      return;
    }
    this.samples += parsed.value.samples;
    this.sampleRate = parsed.value.sampleRate;
    this.skip = parsed.value.frameLength - ADTS_HEADER_BYTES;
  }
}
