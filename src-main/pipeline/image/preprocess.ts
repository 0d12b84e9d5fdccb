/**
 * Preprocessing for the `condition` network (docs/model-pack.md): per object a crop (square box of side
 * int(max(w, h, 2)·cropBoxFactor) centred on the mask bbox, zero fill) and the full frame (padded to a
 * square, centred, zeros), both resized to S×S (RGB bilinear + antialias, mask nearest), laid out as
 * rows [crop₀, full₀, crop₁, full₁, …]. Also the in-memory RGBA cutout for HFER-2D.
 */
import type { Cutout } from '../accel/types';
import { maskBBox } from './mask-checks';
import type { BinaryMask, DecodedImage } from './types';

/** A square window of the image: side `side` starting at (left, top); pixels outside the image are 0. */
interface Window {
  left: number;
  top: number;
  side: number;
}

/** Bilinear-antialias resample of a window of an interleaved image into S×S, planar (C, S, S) output. */
function resampleWindow(
  src: Float32Array,
  w: number,
  h: number,
  c: number,
  win: Window,
  size: number,
  out: Float32Array,
  outOffset: number,
): void {
  const scale = win.side / size;
  const support = Math.max(scale, 1);
  // Horizontal taps over window columns, then vertical; out-of-image pixels contribute zero.
  const taps = (o: number) => {
    const center = scale * (o + 0.5);
    const lo = Math.max(Math.floor(center - support + 0.5), 0);
    const hi = Math.min(Math.floor(center + support + 0.5), win.side);
    const idx: number[] = [],
      wt: number[] = [];
    let total = 0;
    for (let s = lo; s < hi; s++) {
      const x = Math.abs((s - center + 0.5) / support);
      const v = x < 1 ? 1 - x : 0;
      idx.push(s);
      wt.push(v);
      total += v;
    }
    return { idx, wt: wt.map((v) => (total > 0 ? v / total : 0)) };
  };
  const tx = Array.from({ length: size }, (_, o) => taps(o));
  const ty = Array.from({ length: size }, (_, o) => taps(o));
  const plane = size * size;
  const rowBuf = new Float64Array(size * c);
  for (let oy = 0; oy < size; oy++) {
    rowBuf.fill(0);
    const { idx: ys, wt: wy } = ty[oy];
    for (let a = 0; a < ys.length; a++) {
      const y = win.top + ys[a];
      if (y < 0 || y >= h || wy[a] === 0) continue;
      for (let ox = 0; ox < size; ox++) {
        const { idx: xs, wt: wx } = tx[ox];
        for (let b = 0; b < xs.length; b++) {
          const x = win.left + xs[b];
          if (x < 0 || x >= w) continue;
          const wgt = wy[a] * wx[b];
          const s = (y * w + x) * c;
          for (let ch = 0; ch < c; ch++) rowBuf[ox * c + ch] += wgt * src[s + ch];
        }
      }
    }
    for (let ox = 0; ox < size; ox++)
      for (let ch = 0; ch < c; ch++) out[outOffset + ch * plane + oy * size + ox] = rowBuf[ox * c + ch];
  }
}

/** Nearest resample of a mask window into S×S (PyTorch `nearest`), out-of-image = 0. */
function nearestWindow(mask: BinaryMask, win: Window, size: number, out: Float32Array, outOffset: number): void {
  for (let oy = 0; oy < size; oy++) {
    const y = win.top + Math.floor((oy * win.side) / size);
    for (let ox = 0; ox < size; ox++) {
      const x = win.left + Math.floor((ox * win.side) / size);
      out[outOffset + oy * size + ox] =
        y >= 0 && y < mask.height && x >= 0 && x < mask.width ? mask.data[y * mask.width + x] : 0;
    }
  }
}

export function cropWindow(mask: BinaryMask, cropBoxFactor: number): Window {
  const [x0, y0, x1, y1] = maskBBox(mask);
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const side = Math.max(1, Math.trunc(Math.max(bw, bh, 2) * cropBoxFactor));
  const cx = (x0 + x1 + 1) / 2,
    cy = (y0 + y1 + 1) / 2;
  return { left: Math.floor(cx - side / 2), top: Math.floor(cy - side / 2), side };
}

export function fullFrameWindow(width: number, height: number): Window {
  const side = Math.max(width, height);
  return { left: -Math.floor((side - width) / 2), top: -Math.floor((side - height) / 2), side };
}

export interface ConditionInputs {
  /** (2K, 3, S, S) RGB 0..1. */
  image: Float32Array;
  /** (2K, 1, S, S) 0/1. */
  mask: Float32Array;
  count: number;
  size: number;
}

/**
 * Build the condition network's inputs for K masks of one image. The full-frame RGB is resampled once
 * and copied into every object's full row (scene mode shares it).
 */
export function conditionInputs(
  image: DecodedImage,
  masks: BinaryMask[],
  size: number,
  cropBoxFactor: number,
): ConditionInputs {
  const k = masks.length;
  const plane = size * size;
  const img = new Float32Array(2 * k * 3 * plane);
  const msk = new Float32Array(2 * k * plane);
  const full = fullFrameWindow(image.width, image.height);
  const fullRgb = new Float32Array(3 * plane);
  resampleWindow(image.rgb, image.width, image.height, 3, full, size, fullRgb, 0);
  masks.forEach((m, q) => {
    const crop = cropWindow(m, cropBoxFactor);
    resampleWindow(image.rgb, image.width, image.height, 3, crop, size, img, 2 * q * 3 * plane);
    nearestWindow(m, crop, size, msk, 2 * q * plane);
    img.set(fullRgb, (2 * q + 1) * 3 * plane);
    nearestWindow(m, full, size, msk, (2 * q + 1) * plane);
  });
  return { image: img, mask: msk, count: k, size };
}

/** SAM 3D cutout in memory: object RGB, white outside, alpha = mask, cropped to the bbox + 2 px. */
export function objectCutout(image: DecodedImage, mask: BinaryMask, margin = 2): Cutout {
  const [bx0, by0, bx1, by1] = maskBBox(mask);
  const x0 = Math.max(0, bx0 - margin),
    y0 = Math.max(0, by0 - margin);
  const x1 = Math.min(image.width - 1, bx1 + margin),
    y1 = Math.min(image.height - 1, by1 + margin);
  const width = x1 - x0 + 1,
    height = y1 - y0 + 1;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y0 + y) * image.width + (x0 + x);
      const o = (y * width + x) * 4;
      const inside = mask.data[p] === 1;
      for (let ch = 0; ch < 3; ch++) rgba[o + ch] = inside ? Math.round(image.rgb[3 * p + ch] * 255) : 255;
      rgba[o + 3] = inside ? 255 : 0;
    }
  }
  return { rgba, width, height };
}
