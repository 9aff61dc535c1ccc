/**
 * Picture sizes for the ladder: what the viewer sees (rotation and pixel aspect applied), fitted
 * into a rung's box without upscaling, both sides even (4:2:0 chroma needs them even).
 */
import type { Rational } from '../schedule/rational.js';

export interface VideoSource {
  /** Coded size, as ffprobe reports it before rotation. */
  readonly width: number;
  readonly height: number;
  /** Display rotation in degrees (ffprobe's side data, e.g. -90); a multiple of 90. */
  readonly rotation?: number;
  /** Pixel aspect ratio (ffprobe's sample_aspect_ratio); square when absent. */
  readonly sampleAspectRatio?: Rational;
  /** Constant frame rate of the source (or of its CFR mezzanine). */
  readonly frameRate?: Rational;
  /** False for a video without an audio stream. */
  readonly hasAudio?: boolean;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A rung's bounding box, named by its short side: 720 → 1280×720 landscape or 720×1280 portrait. */
export interface Box {
  readonly shortSide: number;
  readonly longSide: number;
}

function checkSide(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} ${value} must be a positive integer`);
}

/** Rotation as 0, 90, 180 or 270; anything not a multiple of 90 is refused. */
export function normalizeRotation(rotation = 0): 0 | 90 | 180 | 270 {
  if (!Number.isInteger(rotation) || rotation % 90 !== 0) {
    throw new RangeError(`rotation ${rotation} is not a multiple of 90 degrees`);
  }
  return (((rotation % 360) + 360) % 360) as 0 | 90 | 180 | 270;
}

/** The size the viewer sees: pixel aspect applied to the width, then a quarter turn swaps the sides. */
export function displaySize(source: VideoSource): Size {
  checkSide(source.width, 'width');
  checkSide(source.height, 'height');
  const aspect = source.sampleAspectRatio;
  const usable = aspect !== undefined && aspect.num > 0 && aspect.den > 0;
  const width = usable ? (source.width * aspect.num) / aspect.den : source.width;
  const quarterTurn = normalizeRotation(source.rotation) % 180 === 90;
  return quarterTurn ? { width: source.height, height: width } : { width, height: source.height };
}

/** Nearest even integer, at least 2. */
export function even(value: number): number {
  return Math.max(2, 2 * Math.round(value / 2));
}

/** How much `size` must shrink to fit `box` in the same orientation (1 = fits as it is, >1 = would grow). */
export function fitScale(size: Size, box: Box): number {
  const landscape = size.width >= size.height;
  const boxWidth = landscape ? box.longSide : box.shortSide;
  const boxHeight = landscape ? box.shortSide : box.longSide;
  return Math.min(boxWidth / size.width, boxHeight / size.height);
}

/** `size` scaled by min(scale, 1), sides even and never above the source's (an odd 1279 gives 1278). */
export function scaledEven(size: Size, scale: number): Size {
  const factor = Math.min(scale, 1);
  const side = (length: number): number => Math.max(2, Math.min(even(length * factor), 2 * Math.floor(length / 2)));
  return { width: side(size.width), height: side(size.height) };
}

/** The short side of a size: the "p" of 1080p, also for portrait pictures. */
export function shortSide(size: Size): number {
  return Math.min(size.width, size.height);
}

/** 16×16 macroblocks in a picture, as H.264 levels count them. */
export function macroblocks(size: Size): number {
  return Math.ceil(size.width / 16) * Math.ceil(size.height / 16);
}
