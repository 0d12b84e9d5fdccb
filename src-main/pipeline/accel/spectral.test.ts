import { describe, expect, it } from 'vitest';
import { grey8, hanning, hfer2d, hfer3d, resizeArea } from './spectral';
import { seededRng } from './test-helpers';
import { sphereGrid, shellGrid, boxGrid } from './test-shapes';

function cutout(w: number, h: number, pixel: (x: number, y: number) => [number, number, number, number]) {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set(pixel(x, y), (y * w + x) * 4);
  return { rgba, width: w, height: h };
}

describe('HFER 2D', () => {
  it('is ≈ 0.0002 for a constant image (only the Hann window leaks past the DC bin)', () => {
    const h = hfer2d(cutout(256, 256, () => [100, 100, 100, 255]));
    expect(h).toBeGreaterThan(1e-4);
    expect(h).toBeLessThan(3e-4);
    // The value does not depend on the grey level or the size (the resize keeps a constant constant).
    expect(hfer2d(cutout(300, 170, () => [30, 30, 30, 255]))).toBeCloseTo(h, 6);
  });

  it('is ≈ 0.85 for a random-noise texture inside a silhouette on white', () => {
    const rng = seededRng(3);
    const h = hfer2d(cutout(256, 256, (x, y) => {
      if ((x - 128) ** 2 + (y - 128) ** 2 >= 90 ** 2) return [255, 255, 255, 0];
      const g = Math.floor(rng() * 256);
      return [g, g, g, 255];
    }));
    expect(h).toBeGreaterThan(0.82);
    expect(h).toBeLessThan(0.88);
  });

  it('is higher for full-frame white noise (≈ 0.91) than for a flat silhouette (≈ 0.27)', () => {
    const rng = seededRng(4);
    const noise = hfer2d(cutout(256, 256, () => { const g = Math.floor(rng() * 256); return [g, g, g, 255]; }));
    expect(noise).toBeGreaterThan(0.89);
    expect(noise).toBeLessThan(0.93);
    const flat = hfer2d(cutout(256, 256, (x, y) => ((x - 128) ** 2 + (y - 128) ** 2 < 90 ** 2 ? [128, 128, 128, 255] : [255, 255, 255, 0])));
    expect(flat).toBeGreaterThan(0.2);
    expect(flat).toBeLessThan(0.35);
  });

  it('accepts float RGBA in 0..1 with the same result as bytes', () => {
    const bytes = cutout(64, 48, (x, y) => [(x * 4) % 256, (y * 5) % 256, 90, x > 8 && y > 6 ? 255 : 0]);
    const floats = { ...bytes, rgba: Float32Array.from(bytes.rgba, (v) => v / 255) };
    expect(hfer2d(floats)).toBeCloseTo(hfer2d(bytes), 6);
  });

  it('rejects an empty mask and a wrong buffer size with clear errors', () => {
    expect(() => hfer2d(cutout(8, 8, () => [0, 0, 0, 0]))).toThrow(/mask .*empty/);
    expect(() => hfer2d({ rgba: new Uint8Array(10), width: 2, height: 2 })).toThrow(/expected 2×2×4/);
  });

  it('converts to grey with cv2 8-bit values (red 76, green 150, blue 29, white 255)', () => {
    expect([grey8(255, 0, 0), grey8(0, 255, 0), grey8(0, 0, 255), grey8(255, 255, 255), grey8(0, 0, 0)]).toEqual([76, 150, 29, 255, 0]);
  });

  it('np.hanning endpoints are 0 and the area resize preserves the mean', () => {
    const w = hanning(256);
    expect(w[0]).toBe(0);
    expect(w[255]).toBeCloseTo(0, 12);
    const src = Float64Array.from({ length: 37 * 23 }, (_, i) => (i * 7919) % 101);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(resizeArea(src, 37, 23, 256, 256))).toBeCloseTo(mean(src), 6);
    expect(mean(resizeArea(src, 37, 23, 16, 8))).toBeCloseTo(mean(src), 6);
  });
});

describe('HFER 3D (64³ binary shapes)', () => {
  it('solid sphere ≈ 0.83, shell ≈ 0.91, box ≈ 0.66', () => {
    expect(hfer3d(sphereGrid(64, 32, 20).logits, 64, 0).hfer).toBeCloseTo(0.831, 3);
    expect(hfer3d(shellGrid(64, 32, 20, 1).logits, 64, 0).hfer).toBeCloseTo(0.905, 3);
    expect(hfer3d(boxGrid(64, 32, 16).logits, 64, 0).hfer).toBeCloseTo(0.664, 3);
  });

  it('is 0 for an empty grid; the per-voxel score is min-max normalised over occupied voxels', () => {
    expect(hfer3d(new Float32Array(16 ** 3), 16, 0)).toEqual({ hfer: 0, voxelScore: new Float32Array(0) });
    const { logits, count } = sphereGrid(32, 16, 9);
    const r = hfer3d(logits, 32, 0);
    expect(r.voxelScore.length).toBe(count);
    expect(Math.min(...r.voxelScore)).toBe(0);
    expect(Math.max(...r.voxelScore)).toBe(1);
  });

  it('scores the surface of a solid sphere above its core', () => {
    const R = 32, c = 16, rad = 9;
    const { logits } = sphereGrid(R, c, rad);
    const { voxelScore } = hfer3d(logits, R, 0);
    const occupied: number[] = [];
    for (let i = 0; i < logits.length; i++) if (logits[i] > 0) occupied.push(i);
    const at = (x: number, y: number, z: number) => voxelScore[occupied.indexOf((x * R + y) * R + z)];
    expect(at(c + rad, c, c)).toBeGreaterThan(at(c, c, c));
  });

  it('uses the logits themselves at occupied voxels and ignores the rest', () => {
    // The ratio is scale-invariant, so scaling the binary sphere's logits cannot tell logit values from a
    // 0/1 occupancy: give the sphere logits that vary over it (higher in the core) and compare with the
    // same voxels at 1 (the binary construction).
    const R = 32, c = 16, rad = 9;
    const { logits: binary } = sphereGrid(R, c, rad);
    const varying = binary.map((v, i) => {
      if (v <= 0) return -5;
      const x = Math.floor(i / (R * R)), y = Math.floor(i / R) % R, z = i % R;
      return 1 + 4 * (1 - Math.hypot(x - c, y - c, z - c) / rad);
    });
    const h = hfer3d(varying, R, 0).hfer;
    expect(Math.abs(h - hfer3d(binary, R, 0).hfer)).toBeGreaterThan(0.01);
    // Scale-invariant in the values (up to float32 rounding of 3·v), and blind to what lies at or below
    // the threshold (−5 here vs 0).
    expect(hfer3d(varying.map((v) => (v > 0 ? 3 * v : 0)), R, 0).hfer).toBeCloseTo(h, 6);
    // Voxels at or below the occupancy threshold are left out even when their logit is positive.
    const thr = 2;
    const above = varying.map((v) => (v > thr ? v : 0));
    expect(hfer3d(varying, R, thr).hfer).toBeCloseTo(hfer3d(above, R, 0).hfer, 9);
    expect(hfer3d(varying, R, thr).voxelScore.length).toBe(above.filter((v) => v > 0).length);
  });

  it('rejects a grid of the wrong size and a non-power-of-two resolution', () => {
    expect(() => hfer3d(new Float32Array(10), 4, 0)).toThrow(/do not form a 4³ grid/);
    expect(() => hfer3d(new Float32Array(27), 3, 0)).toThrow(/power of two/);
  });
});
