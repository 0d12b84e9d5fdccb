/**
 * Full-reference image quality of two same-size RGB(A) images: PSNR over RGB and SSIM on luma.
 *
 * SSIM is the standard definition (Wang et al. 2004): Gaussian window 11×11, σ = 1.5, K1 = 0.01,
 * K2 = 0.03, dynamic range L = 255, computed on the BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B, averaged
 * over the "valid" windows (those fully inside the image), as in the authors' reference implementation.
 */

/** PSNR of identical images is +∞; reported as this cap (dB) so means and tables stay finite. */
export const PSNR_CAP_DB = 100;

export interface RgbImage {
  width: number;
  height: number;
  /** width×height×channels bytes, row-major; channels 3 (RGB) or 4 (RGBA, alpha ignored). */
  data: Uint8Array;
  channels: 3 | 4;
}

function checkPair(a: RgbImage, b: RgbImage): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`image quality: sizes differ (${a.width}×${a.height} vs ${b.width}×${b.height}); render both at the same size`);
  for (const im of [a, b])
    if (im.data.length !== im.width * im.height * im.channels)
      throw new Error(`image quality: ${im.data.length} bytes do not hold ${im.width}×${im.height}×${im.channels}`);
}

/** Peak signal-to-noise ratio (dB) over the R, G, B samples, capped at PSNR_CAP_DB. */
export function psnr(a: RgbImage, b: RgbImage): number {
  checkPair(a, b);
  const n = a.width * a.height;
  let se = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const d = a.data[i * a.channels + k] - b.data[i * b.channels + k];
      se += d * d;
    }
  }
  const mse = se / (3 * n);
  if (mse === 0) return PSNR_CAP_DB;
  return Math.min(PSNR_CAP_DB, 10 * Math.log10((255 * 255) / mse));
}

function luma(im: RgbImage): Float64Array {
  const out = new Float64Array(im.width * im.height);
  for (let i = 0; i < out.length; i++) {
    const o = i * im.channels;
    out[i] = 0.299 * im.data[o] + 0.587 * im.data[o + 1] + 0.114 * im.data[o + 2];
  }
  return out;
}

const WINDOW = 11;
const SIGMA = 1.5;
const GAUSS = (() => {
  const g = new Float64Array(WINDOW);
  const r = (WINDOW - 1) / 2;
  let s = 0;
  for (let i = 0; i < WINDOW; i++) s += g[i] = Math.exp(-((i - r) ** 2) / (2 * SIGMA * SIGMA));
  return g.map((v) => v / s);
})();

/** Separable Gaussian filter, "valid" part only: (w−10)×(h−10) outputs. */
function filterValid(x: Float64Array, w: number, h: number): Float64Array {
  const ow = w - WINDOW + 1, oh = h - WINDOW + 1;
  const rows = new Float64Array(ow * h);
  for (let y = 0; y < h; y++)
    for (let i = 0; i < ow; i++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += GAUSS[k] * x[y * w + i + k];
      rows[y * ow + i] = s;
    }
  const out = new Float64Array(ow * oh);
  for (let j = 0; j < oh; j++)
    for (let i = 0; i < ow; i++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += GAUSS[k] * rows[(j + k) * ow + i];
      out[j * ow + i] = s;
    }
  return out;
}

/** Mean structural similarity on luma (1 for identical images, negative for anti-correlated ones). */
export function ssim(a: RgbImage, b: RgbImage): number {
  checkPair(a, b);
  const { width: w, height: h } = a;
  if (w < WINDOW || h < WINDOW) throw new Error(`SSIM needs images of at least ${WINDOW}×${WINDOW} pixels, got ${w}×${h}`);
  const x = luma(a), y = luma(b);
  const n = w * h;
  const xx = new Float64Array(n), yy = new Float64Array(n), xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const [mx, my, sxx, syy, sxy] = [x, y, xx, yy, xy].map((v) => filterValid(v, w, h));
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const mux = mx[i], muy = my[i];
    const vx = sxx[i] - mux * mux, vy = syy[i] - muy * muy, cxy = sxy[i] - mux * muy;
    sum += ((2 * mux * muy + C1) * (2 * cxy + C2)) / ((mux * mux + muy * muy + C1) * (vx + vy + C2));
  }
  return sum / mx.length;
}
