import { describe, expect, it } from 'vitest';
import { fftNd, toComplex } from './fft-nd';
import { halfBins, irfftNd, rfftNd } from './real-fft';
import { hfer3d } from './spectral';
import { guardFactor } from './aggregation';
import { seededRng } from './test-helpers';
import { sphereGrid } from './test-shapes';

function randomGrid(n: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  return Float64Array.from({ length: n }, () => rng() * 2 - 1);
}

describe('real-input FFT (half spectrum)', () => {
  for (const dims of [[16, 8], [4, 8, 16], [8, 8, 8]]) {
    it(`matches the full complex fftNd on bins 0..n/2 of the last axis for dims [${dims.join(', ')}]`, () => {
      const total = dims.reduce((a, b) => a * b, 1);
      const n = dims[dims.length - 1];
      const h = halfBins(n);
      const x = randomGrid(total, total + n);
      const full = toComplex(x);
      fftNd(full, dims);
      const half = new Float64Array(2 * (total / n) * h);
      rfftNd(x, dims, half);
      let maxErr = 0;
      for (let l = 0; l < total / n; l++) {
        for (let k = 0; k < h; k++) {
          for (let c = 0; c < 2; c++) maxErr = Math.max(maxErr, Math.abs(half[2 * (l * h + k) + c] - full[2 * (l * n + k) + c]));
        }
      }
      expect(maxErr).toBeLessThan(1e-10);
      // And the inverse gives the grid back (two real lines per complex transform, odd line counts too).
      const back = new Float64Array(total);
      irfftNd(half, dims, back);
      for (let i = 0; i < total; i++) expect(back[i]).toBeCloseTo(x[i], 10);
    });
  }

  it('inverts a single line (the unpaired-line path of irfftNd)', () => {
    const x = randomGrid(16, 7);
    const half = new Float64Array(2 * halfBins(16));
    rfftNd(x, [16], half);
    const back = new Float64Array(16);
    irfftNd(half, [16], back);
    for (let i = 0; i < 16; i++) expect(back[i]).toBeCloseTo(x[i], 12);
  });

  it('rejects mismatched buffers and non-power-of-two sizes with clear errors', () => {
    expect(() => rfftNd(new Float64Array(8), [8], new Float64Array(4))).toThrow(/expected 10/);
    expect(() => rfftNd(new Float64Array(12), [12], new Float64Array(14))).toThrow(/power of two/);
  });
});

describe('spectral shortcuts', () => {
  it('hfer3d without the voxel score gives the same ratio and a zero score per occupied voxel', () => {
    const { logits, count } = sphereGrid(32, 16, 9);
    const full = hfer3d(logits, 32, 0);
    const quick = hfer3d(logits, 32, 0, { voxelScore: false });
    expect(quick.hfer).toBe(full.hfer);
    expect(quick.voxelScore.length).toBe(count);
    expect(quick.voxelScore.every((v) => v === 0)).toBe(true);
    expect(Math.max(...full.voxelScore)).toBe(1);
  });

  it('guardFactor decides S from the voxel count alone (small-N guard first), scaled by (R/64)³', () => {
    expect(guardFactor(2047, 64)).toBe(1);
    expect(guardFactor(2048, 64)).toBeNull();
    expect(guardFactor(41_999, 64)).toBeNull();
    expect(guardFactor(42_000, 64)).toBe(2);
    expect(guardFactor(255, 32)).toBe(1); // 2048 / 8
    expect(guardFactor(5_250, 32)).toBe(2); // 42000 / 8
  });
});
