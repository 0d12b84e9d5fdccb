/**
 * High-frequency energy ratios (HFER) that drive spectral-aware aggregation and the spatial term of
 * SLaT carving. Behaviour follows the public Fast-SAM3D code (fft/fft2d.py, fft/fft3d.py; see
 * ../shared/reference/fastsam3d-spec.md §5.1-5.2), but the 2-D ratio is computed from the cutout in memory
 * instead of re-reading the mask PNG.
 */
import { roundHalfEven } from './rounding';
import { signedFrequency } from './fft-nd';
import { checkFftSize, halfBins, hermitianWeight, irfftNd, rfftNd } from './real-fft';
import type { Cutout, Hfer3dResult } from './types';

/** Side of the square the cutout is resampled to before the 2-D FFT. */
export const HFER2D_SIZE = 256;
/** Low-band radius in bins: int(0.15·256) = 38 (inclusive disk, DC excluded from both sums). */
export const HFER2D_RADIUS = Math.trunc(0.15 * HFER2D_SIZE);
/** Padding (pixels) around the alpha bounding box before resampling. */
const CROP_PAD = 2;

/**
 * Area-averaging resize of a single-channel image: each output pixel averages the source area it covers,
 * with fractional weights at the edges. This equals cv2.INTER_AREA when both axes shrink (its area
 * filter) and when both grow (its "area-linear" coefficients are the same coverage weights); when one
 * axis shrinks and the other grows cv2 uses 2-tap weights instead, a small difference.
 */
export function resizeArea(src: Float64Array, sw: number, sh: number, dw: number, dh: number): Float64Array {
  const xw = coverageWeights(sw, dw);
  const yw = coverageWeights(sh, dh);
  // Horizontal pass then vertical pass (the box filter is separable); each source cell feeds at most
  // ceil(scale)+1 output cells, so both passes are linear in the pixel counts.
  const tmp = new Float64Array(sh * dw);
  for (let y = 0; y < sh; y++) {
    const row = y * sw, outRow = y * dw;
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let t = xw.begin[x]; t < xw.begin[x + 1]; t++) acc += xw.weight[t] * src[row + xw.source[t]];
      tmp[outRow + x] = acc;
    }
  }
  const dst = new Float64Array(dh * dw);
  for (let y = 0; y < dh; y++) {
    const outRow = y * dw;
    for (let t = yw.begin[y]; t < yw.begin[y + 1]; t++) {
      const w = yw.weight[t], inRow = yw.source[t] * dw;
      for (let x = 0; x < dw; x++) dst[outRow + x] += w * tmp[inRow + x];
    }
  }
  return dst;
}

/** Sparse coverage matrix: output cell d takes source[t]·weight[t] for t in begin[d]..begin[d+1]−1. */
interface Coverage {
  begin: Int32Array;
  source: Int32Array;
  weight: Float64Array;
}

/** For each of `dn` output cells, the (source index, weight) pairs of the source cells it overlaps. */
function coverageWeights(sn: number, dn: number): Coverage {
  const scale = sn / dn;
  const cap = dn * (Math.ceil(scale) + 2);
  const begin = new Int32Array(dn + 1);
  const source = new Int32Array(cap);
  const weight = new Float64Array(cap);
  let t = 0;
  for (let d = 0; d < dn; d++) {
    begin[d] = t;
    const a = d * scale;
    const b = (d + 1) * scale;
    for (let s = Math.floor(a); s < Math.min(sn, Math.ceil(b)); s++) {
      const overlap = Math.min(b, s + 1) - Math.max(a, s);
      if (overlap > 1e-12) { source[t] = s; weight[t] = overlap / scale; t++; }
    }
  }
  begin[dn] = t;
  return { begin, source, weight };
}

/** cv2 RGB→grey on 8-bit values: fixed-point weights 4899 / 9617 / 1868 (0.299 / 0.587 / 0.114) >> 14, rounded. */
export function grey8(r: number, g: number, b: number): number {
  return (r * 4899 + g * 9617 + b * 1868 + (1 << 13)) >> 14;
}

/** np.hanning(n): 0.5 − 0.5·cos(2πk/(n−1)), endpoints 0. */
export function hanning(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (n - 1));
  return w;
}

/**
 * HFER_2D of an RGBA cutout: crop to the alpha bbox + 2 px, area-resize grey and alpha to 256², fill
 * non-object pixels with the mean object grey, Hann window, |FFT|, DC removed, ratio of the magnitude
 * outside the radius-38 disk to the total. Values are handled as 8-bit like the reference's cv2 path:
 * grey by cv2's fixed-point weights, the resized grey and alpha rounded to integers.
 */
export function hfer2d(cutout: Cutout): number {
  const { rgba, width, height } = cutout;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`hfer2d: invalid cutout size ${width}×${height}; expected positive integers.`);
  }
  if (rgba.length !== width * height * 4) {
    throw new Error(`hfer2d: cutout has ${rgba.length} values, expected ${width}×${height}×4 = ${width * height * 4} (RGBA).`);
  }
  // Work on 8-bit values like the reference (cv2 on a PNG): float input in 0..1 is quantised first.
  const bytes = rgba instanceof Float32Array ? Uint8Array.from(rgba, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) : rgba;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (bytes[(y * width + x) * 4 + 3] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) throw new Error('hfer2d: the mask (alpha channel) is empty; give a cutout whose alpha marks the object.');
  x0 = Math.max(0, x0 - CROP_PAD); y0 = Math.max(0, y0 - CROP_PAD);
  x1 = Math.min(width - 1, x1 + CROP_PAD); y1 = Math.min(height - 1, y1 + CROP_PAD);
  const cw = x1 - x0 + 1, ch = y1 - y0 + 1;
  const grey = new Float64Array(cw * ch);
  const alpha = new Float64Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const p = ((y + y0) * width + (x + x0)) * 4;
      grey[y * cw + x] = grey8(bytes[p], bytes[p + 1], bytes[p + 2]);
      alpha[y * cw + x] = bytes[p + 3];
    }
  }
  const n = HFER2D_SIZE;
  // cv2 writes the resized 8-bit images back as 8-bit (rounded); a sliver of coverage rounds to 0.
  const g = resizeArea(grey, cw, ch, n, n).map(roundHalfEven);
  const a = resizeArea(alpha, cw, ch, n, n).map(roundHalfEven);
  let sum = 0, count = 0;
  for (let i = 0; i < n * n; i++) if (a[i] > 0) { sum += g[i]; count++; }
  const fill = count > 0 ? sum / count : 128;
  const win = hanningCached(n);
  const img = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      img[i] = (a[i] > 0 ? g[i] : fill) * win[y] * win[x];
    }
  }
  // Real image → half spectrum (columns 0..n/2); |X| is symmetric, so each kept column u stands for
  // ±u (hermitianWeight) and the radius mask, symmetric too, selects the same bins on both halves.
  const h = halfBins(n);
  const spec = new Float64Array(2 * n * h);
  rfftNd(img, [n, n], spec);
  const r2 = HFER2D_RADIUS * HFER2D_RADIUS;
  let total = 0, high = 0;
  for (let v = 0; v < n; v++) {
    const fy = signedFrequency(v, n);
    for (let u = 0; u < h; u++) {
      if (u === 0 && v === 0) continue; // DC removed from both sums
      const k = 2 * (v * h + u);
      const re = spec[k], im = spec[k + 1];
      const mag = hermitianWeight(u, n) * Math.sqrt(re * re + im * im);
      total += mag;
      if (u * u + fy * fy > r2) high += mag;
    }
  }
  return high / (total + 1e-8);
}

const hanningWindows = new Map<number, Float64Array>();

/** hanning(n), computed once per size (read-only by convention). */
function hanningCached(n: number): Float64Array {
  let w = hanningWindows.get(n);
  if (!w) {
    w = hanning(n);
    hanningWindows.set(n, w);
  }
  return w;
}

/** Options of hfer3d. */
export interface Hfer3dOptions {
  /**
   * Compute the per-voxel score (the inverse transform of the high band, about half the cost). When
   * false, voxelScore is all zeros; use it when neither carving nor anything else reads the score.
   */
  voxelScore?: boolean;
}

/**
 * HFER_3D of the SS occupancy logits (R³, index (x·R + y)·R + z): values = logits where logit >
 * occupiedThreshold, else 0; |FFT|; high band = squared distance from the shifted centre ≥ (R/8)²;
 * ratio over the total magnitude including DC (0 when the total ≤ 1e-6). The per-voxel score is
 * |iFFT(high band)| at the occupied voxels, min-max normalised over them (left as is when all equal).
 */
export function hfer3d(
  logits: Float32Array, resolution: number, occupiedThreshold: number, options: Hfer3dOptions = {},
): Hfer3dResult {
  const R = resolution;
  if (logits.length !== R * R * R) {
    throw new Error(`hfer3d: ${logits.length} logits do not form a ${R}³ grid (${R * R * R} values).`);
  }
  checkFftSize(R); // before the empty-grid shortcut, so a bad resolution is reported either way
  const values = new Float64Array(R * R * R);
  const indices = new Int32Array(R * R * R);
  let count = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > occupiedThreshold) {
      values[i] = v;
      indices[count++] = i;
    }
  }
  const occupied = indices.subarray(0, count);
  const voxelScore = new Float32Array(count);
  if (count === 0) return { hfer: 0, voxelScore };
  // Real grid → half spectrum (z bins 0..R/2). Magnitudes are symmetric and so is the radial band, so
  // each kept z bin stands for ±z (hermitianWeight) and the masked spectrum stays Hermitian (real inverse).
  const h = halfBins(R);
  const spec = new Float64Array(2 * R * R * h);
  rfftNd(values, [R, R, R], spec);
  const cut2 = (R / 8) * (R / 8);
  let total = 0, high = 0;
  for (let x = 0; x < R; x++) {
    const fx = signedFrequency(x, R);
    for (let y = 0; y < R; y++) {
      const fy = signedFrequency(y, R);
      const d2 = fx * fx + fy * fy;
      for (let z = 0; z < h; z++) {
        const k = 2 * ((x * R + y) * h + z);
        const re = spec[k], im = spec[k + 1];
        const mag = Math.sqrt(re * re + im * im);
        const w = hermitianWeight(z, R);
        total += w * mag;
        if (d2 + z * z >= cut2) {
          high += w * mag;
        } else {
          spec[k] = 0; // keep only the high band for the per-voxel score
          spec[k + 1] = 0;
        }
      }
    }
  }
  const hfer = total <= 1e-6 ? 0 : high / total;
  if (options.voxelScore === false) return { hfer, voxelScore };
  // The band-passed grid is real, so |iFFT| is the absolute value of the real inverse.
  irfftNd(spec, [R, R, R], values);
  let lo = Infinity, hi = -Infinity;
  const raw = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    raw[n] = Math.abs(values[occupied[n]]);
    if (raw[n] < lo) lo = raw[n];
    if (raw[n] > hi) hi = raw[n];
  }
  for (let n = 0; n < count; n++) voxelScore[n] = hi > lo ? (raw[n] - lo) / (hi - lo) : raw[n];
  return { hfer, voxelScore };
}
