/** PSNR / SSIM on analytic images and rendered-view metrics on analytic meshes. */
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../types';
import { PSNR_CAP_DB, psnr, ssim, type RgbImage } from './image-quality';
import { METRIC_VIEWS, renderedViewMetrics, renderViews } from './rendered-views';
import { fitFrame } from './rasterise';
import { boxMesh, sphereMesh } from './test-meshes';

/** A textured test image: smooth gradients plus deterministic noise, so every SSIM window has variance. */
function texture(w: number, h: number, seed = 7): RgbImage {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 3; k++)
        data[(y * w + x) * 3 + k] = Math.round(40 + 80 * (x / w) + 60 * (y / h) + 60 * rnd() + 5 * k);
  return { width: w, height: h, data, channels: 3 };
}
const mapPixels = (im: RgbImage, f: (v: number) => number): RgbImage => ({ ...im, data: im.data.map(f) });
const shifted = (m: Mesh, d: [number, number, number]): Mesh => ({
  ...m,
  positions: m.positions.map((v, i) => v + d[i % 3]),
});

describe('PSNR and SSIM', () => {
  it('an image against itself: SSIM 1 and PSNR at the documented cap', () => {
    const im = texture(48, 40);
    expect(ssim(im, im)).toBeCloseTo(1, 12);
    expect(psnr(im, im)).toBe(PSNR_CAP_DB);
  });

  it('an image against its inverted version: SSIM below 0', () => {
    const im = texture(48, 40);
    expect(ssim(im, mapPixels(im, (v) => 255 - v))).toBeLessThan(0);
  });

  it('a constant offset of 10 gives MSE 100, so PSNR = 10·log10(255²/100); SSIM drops below 1 but stays high', () => {
    const im = texture(32, 32);
    const brighter = mapPixels(im, (v) => v + 10); // every value ≤ 40+80+60+60+10 < 255: no clipping
    expect(psnr(im, brighter)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 10);
    const s = ssim(im, brighter);
    expect(s).toBeLessThan(1);
    expect(s).toBeGreaterThan(0.9); // the structure is unchanged; only the luminance term moves
  });

  it('reads RGBA and ignores alpha; different sizes are an error that says so', () => {
    const rgb = texture(16, 16);
    const rgba: RgbImage = { width: 16, height: 16, channels: 4, data: new Uint8Array(16 * 16 * 4) };
    for (let i = 0; i < 256; i++) {
      rgba.data.set(rgb.data.subarray(3 * i, 3 * i + 3), 4 * i);
      rgba.data[4 * i + 3] = i % 256;
    }
    expect(psnr(rgb, rgba)).toBe(PSNR_CAP_DB);
    expect(ssim(rgb, rgba)).toBeCloseTo(1, 12);
    expect(() => psnr(rgb, texture(16, 17))).toThrow(/sizes differ/);
    expect(() => ssim(texture(8, 8), texture(8, 8))).toThrow(/at least 11×11/);
  });
});

describe('rendered-view metrics', () => {
  it('renders the object in every view (not an empty frame), framed by the reference', () => {
    const m = boxMesh([-0.5, -0.3, -0.2], [0.5, 0.3, 0.2], [0.8, 0.3, 0.2]);
    const views = renderViews(m, 64, METRIC_VIEWS, METRIC_VIEWS.map((v) => fitFrame(m, v)));
    expect(views).toHaveLength(8);
    for (const im of views) {
      let covered = 0;
      for (let i = 0; i < 64 * 64; i++) if (im.data[3 * i] !== 255 || im.data[3 * i + 1] !== 255) covered++;
      expect(covered / (64 * 64)).toBeGreaterThan(0.2);
    }
  });

  it('identical meshes: PSNR at the cap and SSIM 1', () => {
    const m = sphereMesh(0.45, [0, 0, 0], 16, 32);
    const r = renderedViewMetrics(m, m, { side: 64 });
    expect(r.psnr).toBe(PSNR_CAP_DB);
    expect(r.ssim).toBeCloseTo(1, 12);
  });

  it('a known perturbation lowers both, and a larger one lowers them further', () => {
    const ref = boxMesh([-0.5, -0.4, -0.3], [0.5, 0.4, 0.3], [0.2, 0.6, 0.9]);
    const small = renderedViewMetrics(shifted(ref, [0.03, 0, 0]), ref, { side: 64 });
    const large = renderedViewMetrics(shifted(ref, [0.15, 0, 0.1]), ref, { side: 64 });
    expect(small.psnr).toBeLessThan(PSNR_CAP_DB);
    expect(small.ssim).toBeLessThan(1);
    expect(large.psnr).toBeLessThan(small.psnr);
    expect(large.ssim).toBeLessThan(small.ssim);
    // Same geometry, different colour: appearance changes are seen too.
    const recoloured = boxMesh([-0.5, -0.4, -0.3], [0.5, 0.4, 0.3], [0.9, 0.3, 0.1]);
    const colour = renderedViewMetrics(recoloured, ref, { side: 64 });
    expect(colour.psnr).toBeLessThan(30);
    expect(colour.ssim).toBeLessThan(1);
  });
});
