/** In-memory images and masks of the pipeline (row-major, top row first). */
import type { PhotoOrientation } from './orientation';

/** A decoded photo: RGB in 0..1 (from 8- or 16-bit sources), optional alpha in 0..1. */
export interface DecodedImage {
  width: number;
  height: number;
  /** width×height×3 float32, 0..1. */
  rgb: Float32Array;
  /** width×height float32 alpha, 0..1, or null when the file has none. */
  alpha: Float32Array | null;
  /** Bits per channel of the source (8 or 16). */
  bitDepth: 8 | 16;
  /** Notes for the run report (downscaling, orientation). */
  warnings: string[];
  /** The file's upright size, set when it was downscaled to width×height: messages quote what the user has. */
  givenSize?: [number, number];
  /** Set when the file's EXIF orientation turned its stored pixels (width/height are the upright size). */
  orientation?: PhotoOrientation;
}

/** A binary object mask: 1 = object. */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
  warnings: string[];
}
