/** Validation of an object mask against its photo: size, emptiness, coverage. */
import { PipelineInputError } from '../errors';
import { resizeNearest } from './resize';
import type { BinaryMask } from './types';

/** Relative aspect-ratio difference under which a differently sized mask is resized instead of refused. */
export const ASPECT_TOLERANCE = 0.01;

/**
 * Return a mask of exactly width×height: resized (nearest, with a warning) when only the size differs
 * and the aspect ratio matches within 1%; refused otherwise. Also refuses empty and full masks.
 */
export function conformMask(mask: BinaryMask, width: number, height: number, label = 'the mask'): BinaryMask {
  let out = mask;
  if (mask.width !== width || mask.height !== height) {
    const a = mask.width / mask.height,
      b = width / height;
    if (Math.abs(a - b) / b > ASPECT_TOLERANCE) {
      throw new PipelineInputError(
        'MASK_SIZE_MISMATCH',
        `${label} is ${mask.width}×${mask.height} but the image is ${width}×${height} and the aspect ratios differ; use a mask made for this image.`,
      );
    }
    out = {
      width,
      height,
      data: resizeNearest(mask.data, mask.width, mask.height, width, height),
      warnings: [
        ...mask.warnings,
        `${label} (${mask.width}×${mask.height}) was resized to the image size ${width}×${height}.`,
      ],
    };
  }
  let on = 0;
  for (let p = 0; p < out.data.length; p++) on += out.data[p];
  if (on === 0)
    throw new PipelineInputError(
      'EMPTY_MASK',
      `${label} is empty (no object pixels); paint or select the object first.`,
    );
  if (on === out.data.length) {
    throw new PipelineInputError(
      'FULL_MASK',
      `${label} covers the whole image; the mask must outline one object, not the entire frame.`,
    );
  }
  return out;
}

/** Inclusive bounding box [x0, y0, x1, y1] of the object pixels (mask must be non-empty). */
export function maskBBox(mask: BinaryMask): [number, number, number, number] {
  let x0 = mask.width,
    y0 = mask.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return [x0, y0, x1, y1];
}
