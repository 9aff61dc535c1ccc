/**
 * Rate control and the bandwidth a rendition declares (BANDWIDTH = peak, AVERAGE-BANDWIDTH), so a
 * player that trusts the master playlist never picks a stream its network cannot carry.
 *
 * Rate control: x264 ABR at the rung's bitrate, capped at MAXRATE_RATIO × bitrate with a VBV buffer
 * of VBV_BUFFER_SECONDS at maxrate. Any span of T seconds then carries at most maxrate·T + bufsize
 * bits. RFC 8216 4.3.4.2 makes BANDWIDTH the peak segment bit rate, over spans of whole segments;
 * the shortest segment of the schedule is SHORTEST_WINDOW_SECONDS, so no span can exceed
 * maxrate + bufsize / SHORTEST_WINDOW_SECONDS (worstCaseVideoBitrate). We declare that bound less
 * Apple's 10 % allowance: the measured peak is within BANDWIDTH + 10 % by construction, and content
 * that runs at maxrate (what hard content does) measures within 12 % below the declaration.
 * A shorter buffer starved hard content below its bitrate (0.3 s: −4 % at 720p), which would make
 * AVERAGE-BANDWIDTH a lie; a longer one raises the bound that BANDWIDTH has to declare.
 */
import type { Rational } from '../schedule/rational.js';
import { toNumber } from '../schedule/rational.js';
import { AAC_FRAME_SAMPLES } from '../schedule/segment-schedule.js';

export const MAXRATE_RATIO = 1.1;
export const VBV_BUFFER_SECONDS = 0.5;
/** The shortest segment of the schedule (segments 0 and 1): the shortest span a peak is measured over. */
export const SHORTEST_WINDOW_SECONDS = 2;
/** Apple's authoring spec: the measured peak may exceed BANDWIDTH by this share. */
export const PEAK_ALLOWANCE = 0.1;

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

/** The most video bits per second any RFC 8216 peak window can hold under this rate control. */
export function worstCaseVideoBitrate(control: RateControl): number {
  return control.maxrate + control.bufsize / SHORTEST_WINDOW_SECONDS;
}

/** The video bit/s BANDWIDTH declares: the worst case less the allowance (see above). */
export function peakVideoBitrate(control: RateControl): number {
  return worstCaseVideoBitrate(control) / (1 + PEAK_ALLOWANCE);
}

/*
 * MPEG-TS overhead, modelled on ffmpeg 5.1's muxer with the worker's mux options (`muxArgs`:
 * no mux delay, PAT/PMT/SDT every PSI_PERIOD_SECONDS) and Kiln's segmenter:
 * - 188-byte packets with 184 bytes of payload;
 * - PAT, PMT and SDT once per PSI period, plus the PAT and PMT the segmenter puts first in every
 *   segment (at most one segment per SHORTEST_WINDOW_SECONDS);
 * - one video PES per frame: PES header with PTS and DTS (19 bytes), an access unit delimiter
 *   (6 bytes), a PCR every 20 ms (8 bytes of adaptation field), and the last packet of each PES
 *   padded: frame sizes vary widely, so about half a packet of stuffing per frame;
 * - AAC frames (each with a 7-byte ADTS header `-b:a` does not count) grouped by the segmenter
 *   into PES packets of up to AUDIO_PES_BYTES: per group a PES header and random-access flag
 *   (16 bytes) and half a packet of stuffing, plus one partial group more per segment.
 * Checked against TS files written here: see bandwidth.test.ts.
 */
const TS_PACKET_BYTES = 188;
const TS_PAYLOAD_BYTES = 184;
/** `-pat_period`/`-sdt_period`: each segment starts with its own PAT and PMT, so these are rare. */
export const PSI_PERIOD_SECONDS = 5;
const TABLE_PACKETS_PER_SECOND = 3 / PSI_PERIOD_SECONDS + 2 / SHORTEST_WINDOW_SECONDS;
const VIDEO_PES_EXTRA_BYTES = 19 + 6;
const PCR_BYTES_PER_SECOND = 50 * 8;
const ADTS_HEADER_BYTES = 7;
const AUDIO_PES_EXTRA_BYTES = 14 + 2;
/** The segmenter's AAC PES payload limit (`DEFAULT_AUDIO_PES_BYTES` of @kiln/segmenter, ffmpeg's size). */
export const AUDIO_PES_BYTES = 2930;

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

/**
 * Audio-only renditions keep one PES per AAC frame (audio is their cut track): each frame pays a
 * 14-byte header, and its size varying ±5 % makes a frame just above one packet cost two.
 */
function ungroupedAudioPacketsPerSecond(bitrate: number, sampleRate: number): number {
  const framesPerSecond = sampleRate / AAC_FRAME_SAMPLES;
  const frameBytes = bitrate / 8 / framesPerSecond + ADTS_HEADER_BYTES + 14;
  return framesPerSecond * expectedPacketsPerPes(frameBytes, 0.05);
}

function groupedAudioPacketsPerSecond(bitrate: number, sampleRate: number): number {
  const framesPerSecond = sampleRate / AAC_FRAME_SAMPLES;
  const frameBytes = bitrate / 8 / framesPerSecond + ADTS_HEADER_BYTES;
  const groupsPerSecond = framesPerSecond / Math.max(1, Math.floor(AUDIO_PES_BYTES / frameBytes)) + 1 / SHORTEST_WINDOW_SECONDS;
  return (framesPerSecond * frameBytes + groupsPerSecond * AUDIO_PES_EXTRA_BYTES) / TS_PAYLOAD_BYTES + groupsPerSecond / 2;
}

/** Bit/s of the MPEG-TS that carries these streams: payload plus every overhead above. */
export function mpegTsBitrate(streams: MuxedStreams): number {
  const framesPerSecond = streams.frameRate === undefined ? 30 : toNumber(streams.frameRate);
  const video = streams.videoBitrate ? videoPacketsPerSecond(streams.videoBitrate, framesPerSecond) : 0;
  const audioPackets = streams.videoBitrate ? groupedAudioPacketsPerSecond : ungroupedAudioPacketsPerSecond;
  const audio = streams.audioBitrate ? audioPackets(streams.audioBitrate, streams.audioSampleRate ?? 48_000) : 0;
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
