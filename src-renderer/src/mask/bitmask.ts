/**
 * A binary mask the size of the image: one byte per pixel, 0 = background, 1 = object. Plain arrays so
 * the editing algorithms stay pure and testable without a DOM.
 */
import { readMaskPixels, type MaskRuleProblem } from '../../../src-shared/mask-rule';

export interface BitMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export function emptyMask(width: number, height: number): BitMask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`Mask size must be positive integers, got ${width}×${height}.`);
  }
  return { width, height, data: new Uint8Array(width * height) };
}

export function cloneMask(m: BitMask): BitMask {
  return { width: m.width, height: m.height, data: m.data.slice() };
}

export function maskArea(m: BitMask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i] ? 1 : 0;
  return n;
}

/** Tight bounding box of the set pixels, or null when the mask is empty. */
export function maskBounds(m: BitMask): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = m.width, y0 = m.height, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) {
    const row = y * m.width;
    for (let x = 0; x < m.width; x++) {
      if (m.data[row + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/**
 * Combine `stroke` into `target` in place: 'add' sets pixels, 'subtract' clears them. Used by the brush,
 * the eraser, the lasso and the magic wand alike (shift = add, alt = subtract in the window).
 */
export function combineInto(target: BitMask, stroke: Uint8Array, mode: 'add' | 'subtract' | 'replace'): void {
  if (stroke.length !== target.data.length) {
    throw new Error(`Stroke has ${stroke.length} pixels but the mask has ${target.data.length}.`);
  }
  const d = target.data;
  if (mode === 'replace') {
    for (let i = 0; i < d.length; i++) d[i] = stroke[i] ? 1 : 0;
  } else if (mode === 'add') {
    for (let i = 0; i < d.length; i++) if (stroke[i]) d[i] = 1;
  } else {
    for (let i = 0; i < d.length; i++) if (stroke[i]) d[i] = 0;
  }
}

/** Mask from the alpha channel of RGBA pixels (SAM 3D cutouts: alpha = mask; the image's own alpha). */
export function maskFromAlpha(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, threshold = 128): BitMask {
  if (rgba.length !== width * height * 4) {
    throw new Error(`Expected ${width * height * 4} RGBA bytes for ${width}×${height}, got ${rgba.length}.`);
  }
  const m = emptyMask(width, height);
  for (let i = 0, p = 3; i < m.data.length; i++, p += 4) m.data[i] = rgba[p] >= threshold ? 1 : 0;
  return m;
}

/** A mask file the shared mask rule refuses (NOT_A_MASK: a photo, not a mask; EMPTY_MASK: a label map). */
export class MaskImageProblem extends Error {
  readonly code: MaskRuleProblem;
  constructor(code: MaskRuleProblem, message: string) {
    super(message);
    this.code = code;
    this.name = 'MaskImageProblem';
  }
}

/**
 * Mask from a mask file decoded to RGBA, by the rule the pipeline uses (src-shared/mask-rule.ts): a
 * cut-out with a real alpha channel uses alpha; an opaque image its brightest channel, a file of two levels
 * or colours (0/1 from numpy, red on black) object = the brighter, said in `warnings`. `name` starts the
 * messages (“0.png”). Throws MaskImageProblem when the file is not a mask.
 */
export function maskFromMaskImage(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  name = 'The mask image',
): { mask: BitMask; warnings: string[] } {
  if (rgba.length !== width * height * 4) {
    throw new Error(`Expected ${width * height * 4} RGBA bytes for ${width}×${height}, got ${rgba.length}.`);
  }
  const m = emptyMask(width, height);
  // A browser decodes every file to RGBA: an opaque alpha counts as none, as in the pipeline.
  const read = readMaskPixels({ width, height, channels: 4, samples: rgba }, name);
  if (!read.ok) throw new MaskImageProblem(read.code, read.message);
  m.data.set(read.data);
  return { mask: m, warnings: read.warnings };
}
