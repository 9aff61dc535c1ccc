/**
 * Rate control and the bandwidth a rendition declares (BANDWIDTH = peak, AVERAGE-BANDWIDTH), so a
 * player that trusts the master playlist never picks a stream its network cannot carry.
 *
 * Rate control: x264 ABR at the rung's bitrate, capped at MAXRATE_RATIO × bitrate with a VBV buffer
 * of VBV_BUFFER_SECONDS at maxrate: with it, averages stay close to the bitrate and the RFC 8216
 * peak close to maxrate. A looser cap let a zooming source overshoot both; a shorter buffer starved
 * hard content below its bitrate, which would make AVERAGE-BANDWIDTH a lie.
 *
 * Declared peak: RFC 8216 4.3.4.2 makes BANDWIDTH of a VOD stream its measured peak segment bit rate,
 * and Apple's authoring spec wants it within 10 % of that, in both directions, so a ceiling is as
 * wrong as an underestimate. We declare before any encode, so we declare what content that uses its
 * bitrate (what a rung is sized for) measures: x264 then runs every segment between the bitrate
 * and maxrate, and the midpoint of the two keeps both ends within 5 % (real-encodes.test.ts checks
 * it through the whole pipeline). The hard ceiling, maxrate + bufsize / 2.5 s (worstCaseVideoBitrate, 1.54×), is reached
 * only when hard content follows content easy enough to refill the VBV buffer; it stays within
 * Apple's "peak ≤ 200 % of average".
 */
import type { Rational } from '../schedule/rational.js';
import { toNumber } from '../schedule/rational.js';
import { AAC_FRAME_SAMPLES } from '../schedule/segment-schedule.js';

export const MAXRATE_RATIO = 1.1;
export const VBV_BUFFER_SECONDS = 1;
/** Half of TARGETDURATION 5: the shortest span RFC 8216 measures the peak bit rate over. */
export const PEAK_WINDOW_SECONDS = 2.5;

export interface RateControl {
  /** `-b:v`, bit/s. */
  readonly bitrate: number;
  /** `-maxrate`, bit/s. */
  readonly maxrate: number;
  /** `-bufsize`, bits. */
  readonly bufsize: number;
}

export function rateControl(bitrate: number): RateControl {
  const maxrate = Math.round(bitrate * MAXRATE_RATIO);
  return { bitrate, maxrate, bufsize: Math.round(maxrate * VBV_BUFFER_SECONDS) };
}

/** The video bit/s BANDWIDTH declares: the midpoint of bitrate and maxrate (see above). */
export function peakVideoBitrate(control: RateControl): number {
  return (control.bitrate + control.maxrate) / 2;
}

/** The most video bits per second any RFC 8216 peak window can hold under this rate control. */
export function worstCaseVideoBitrate(control: RateControl): number {
  return control.maxrate + control.bufsize / PEAK_WINDOW_SECONDS;
}

/*
 * MPEG-TS overhead, modelled on ffmpeg 5.1's muxer with the worker's `-muxdelay 0 -muxpreload 0`:
 * - 188-byte packets with 184 bytes of payload;
 * - PAT and PMT every 100 ms and SDT every 500 ms (pat_period / sdt_period defaults): 22 packets/s;
 * - one video PES per frame: PES header with PTS and DTS (19 bytes), an access unit delimiter
 *   (6 bytes), a PCR every 20 ms (8 bytes of adaptation field), and the last packet of each PES
 *   padded: frame sizes vary widely, so about half a packet of stuffing per frame;
 * - one audio PES per AAC frame (muxdelay 0 flushes every frame): PES header (14 bytes) and ADTS
 *   header (7 bytes, not counted by `-b:a`); AAC frames vary about ±5 % around the mean, so a frame
 *   just above one packet costs two.
 * Checked against TS files written here (libx264 + aac, 20 s): 145k video + 64k audio at 29.97 fps
 * measured 352.1 kbit/s (model 350.3), 145k + 128k 382.0 (381.3), 2000k + 128k 2273.7 (2275.2),
 * 365k + 128k at 60 fps 652.4 (646.4), 365k + 96k at 25 fps 577.5 (582.9); bandwidth.test.ts keeps
 * these. At low rates the overhead dominates: see the cellular note in ladder.ts.
 */
const TS_PACKET_BYTES = 188;
const TS_PAYLOAD_BYTES = 184;
const TABLE_PACKETS_PER_SECOND = 10 + 10 + 2;
const VIDEO_PES_EXTRA_BYTES = 19 + 6;
const PCR_BYTES_PER_SECOND = 50 * 8;
const AUDIO_PES_EXTRA_BYTES = 14 + 7;
const AUDIO_FRAME_SPREAD = 0.05;

/**
 * Expected TS packets for a PES whose size is uniform in mean·(1 ± spread): the average of
 * ceil(size / 184) over that range.
 */
export function expectedPacketsPerPes(meanBytes: number, spread: number): number {
  const low = meanBytes * (1 - spread);
  const high = meanBytes * (1 + spread);
  if (high - low < 1e-9) return Math.max(1, Math.ceil(meanBytes / TS_PAYLOAD_BYTES));
  let packets = 0;
  for (let count = Math.max(1, Math.ceil(low / TS_PAYLOAD_BYTES)); (count - 1) * TS_PAYLOAD_BYTES < high; count += 1) {
    const from = Math.max(low, (count - 1) * TS_PAYLOAD_BYTES);
    const to = Math.min(high, count * TS_PAYLOAD_BYTES);
    packets += (count * (to - from)) / (high - low);
  }
  return packets;
}

export interface MuxedStreams {
  /** Video elementary stream bit/s; absent for audio-only. */
  readonly videoBitrate?: number;
  /** Frames per second of the video; 30 when unknown. */
  readonly frameRate?: Rational;
  /** AAC bit/s as given to `-b:a`; absent or 0 without audio. */
  readonly audioBitrate?: number;
  readonly audioSampleRate?: number;
}

function videoPacketsPerSecond(bitrate: number, framesPerSecond: number): number {
  const frameBytes = bitrate / 8 / framesPerSecond + VIDEO_PES_EXTRA_BYTES;
  // Frame sizes range from small B-frames to IDRs: spread 1 gives mean/184 + ½ packet of stuffing.
  return framesPerSecond * expectedPacketsPerPes(frameBytes, 1) + PCR_BYTES_PER_SECOND / TS_PAYLOAD_BYTES;
}

function audioPacketsPerSecond(bitrate: number, sampleRate: number): number {
  const framesPerSecond = sampleRate / AAC_FRAME_SAMPLES;
  const frameBytes = bitrate / 8 / framesPerSecond + AUDIO_PES_EXTRA_BYTES;
  return framesPerSecond * expectedPacketsPerPes(frameBytes, AUDIO_FRAME_SPREAD);
}

/** Bit/s of the MPEG-TS that carries these streams: payload plus every overhead above. */
export function mpegTsBitrate(streams: MuxedStreams): number {
  const framesPerSecond = streams.frameRate === undefined ? 30 : toNumber(streams.frameRate);
  const video = streams.videoBitrate ? videoPacketsPerSecond(streams.videoBitrate, framesPerSecond) : 0;
  const audio = streams.audioBitrate ? audioPacketsPerSecond(streams.audioBitrate, streams.audioSampleRate ?? 48_000) : 0;
  return (TABLE_PACKETS_PER_SECOND + video + audio) * TS_PACKET_BYTES * 8;
}

export interface DeclaredBandwidth {
  /** BANDWIDTH: the RFC 8216 peak segment bit rate expected of content that uses its bitrate. */
  readonly peak: number;
  /** AVERAGE-BANDWIDTH: what the whole rendition carries on average. */
  readonly average: number;
}

/** Whole bit/s to declare for a rendition, rounded up. */
export function declaredBandwidth(streams: Omit<MuxedStreams, 'videoBitrate'> & { readonly video?: RateControl }): DeclaredBandwidth {
  const { video, ...rest } = streams;
  if (video === undefined) {
    const audioOnly = Math.ceil(mpegTsBitrate(rest));
    return { peak: audioOnly, average: audioOnly };
  }
  return {
    peak: Math.ceil(mpegTsBitrate({ ...rest, videoBitrate: peakVideoBitrate(video) })),
    average: Math.ceil(mpegTsBitrate({ ...rest, videoBitrate: video.bitrate })),
  };
}
