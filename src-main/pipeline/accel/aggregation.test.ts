import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../../src-shared/params';
import { aggregateCoords, chooseAggregationFactor } from './aggregation';
import { roundHalfEven } from './rounding';
import { hfer3d } from './spectral';
import { seededRng } from './test-helpers';
import { shape as makeShape, shellGrid, sphereGrid } from './test-shapes';

const params = resolveParams('fast-sam3d');

describe('aggregation factor', () => {
  it.each([
    [0.8, 0.8, 1.25], [0.7, 0.7, 1.25], [0.6, 0.9, 1.5], [0.5, 0.5, 2], [0.3, 0.9, 2], [0, 0.9, 1], [0.9, 0, 1],
  ])('HFER2D %f, HFER3D %f → S = %f (w2D 0.9, τ 0.5 / 0.7, N = 20000 at 64³)', (h2, h3, s) => {
    expect(chooseAggregationFactor(h2, h3, 20_000, 64, params)).toBe(s);
  });

  it('guards on the voxel count win over the spectral choice, scaled by (R/64)³; the small-N guard wins', () => {
    expect(chooseAggregationFactor(0.9, 0.9, 42_000, 64, params)).toBe(2);
    expect(chooseAggregationFactor(0, 0, 42_000, 64, params)).toBe(2);
    expect(chooseAggregationFactor(0.3, 0.3, 2_047, 64, params)).toBe(1);
    expect(chooseAggregationFactor(0.3, 0.3, 2_048, 64, params)).toBe(2);
    expect(chooseAggregationFactor(0.9, 0.9, 5_250, 32, params)).toBe(2); // 42000/8
    expect(chooseAggregationFactor(0.3, 0.3, 255, 32, params)).toBe(1); // < 2048/8
    expect(chooseAggregationFactor(0.3, 0.3, 256, 32, params)).toBe(2);
  });

  it('refuses τ low above τ high', () => {
    expect(() => chooseAggregationFactor(0.5, 0.5, 5000, 64, { ...params, meshTauLow: 0.8, meshTauHigh: 0.6 })).toThrow(/meshTauLow/);
  });
});

describe('coordinate aggregation', () => {
  it('rounds half to even like torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3]);
  });

  it('64³ solid sphere, N = 33,401 → 17,506 / 10,467 / 4,166 voxels for S = 1.25 / 1.5 / 2', () => {
    const sphere = sphereGrid(64, 32, 20);
    expect(sphere.count).toBe(33_401);
    const scores = new Float32Array(sphere.count);
    const counts = [1, 1.25, 1.5, 2].map((s) => aggregateCoords(sphere.coords, scores, s, 64, { fixOffset: false }).coords.length / 3);
    expect(counts).toEqual([33_401, 17_506, 10_467, 4_166]);
  });

  it('64³ shell, N = 9,970 → 5,746 / 3,922 / 2,065', () => {
    const shell = shellGrid(64, 32, 20, 1);
    expect(shell.count).toBe(9_970);
    const scores = new Float32Array(shell.count);
    expect([1.25, 1.5, 2].map((s) => aggregateCoords(shell.coords, scores, s, 64, { fixOffset: false }).coords.length / 3))
      .toEqual([5_746, 3_922, 2_065]);
  });

  it('output is sorted, unique and inside the shrunk bbox', () => {
    const sphere = sphereGrid(32, 14, 8);
    const { voxelScore } = hfer3d(sphere.logits, 32, 0);
    const r = aggregateCoords(sphere.coords, voxelScore, 2, 32, { fixOffset: false });
    const keys = Array.from({ length: r.coords.length / 3 }, (_, m) => (r.coords[3 * m] * 32 + r.coords[3 * m + 1]) * 32 + r.coords[3 * m + 2]);
    for (let m = 1; m < keys.length; m++) expect(keys[m]).toBeGreaterThan(keys[m - 1]);
    // bbox 6..22 (size 17) → tsize 8.5, tmin 10.25, tmax 17.75 → coordinates in [10, 17]
    expect(Math.min(...r.coords)).toBe(10);
    expect(Math.max(...r.coords)).toBe(17);
    expect(r.scores.length).toBe(keys.length);
    expect(Math.max(...r.scores)).toBe(1);
  });

  it('merges by hand-checked bins and keeps the max score (a 5-voxel line, S = 2)', () => {
    // x: lo 0, hi 4, size 5 → tsize 2.5, tmin 1.25, tmax 2.75; p′ = round½even(x/4·1.5 + 1.25) clamped to [1, 2]
    // → 0→1, 1→2 (1.625), 2→2, 3→2 (2.375), 4→3→2. y and z are constant and stay.
    const coords = Int32Array.from([0, 5, 7, 1, 5, 7, 2, 5, 7, 3, 5, 7, 4, 5, 7]);
    const r = aggregateCoords(coords, Float32Array.from([0.5, 0.1, 0.9, 0.3, 0.2]), 2, 16, { fixOffset: false });
    expect(Array.from(r.coords)).toEqual([1, 5, 7, 2, 5, 7]);
    expect(Array.from(r.scores)).toEqual([0.5, Math.fround(0.9)]);
    expect(r.factorUsed).toBe(2);
  });

  it('S = 1 is the identity', () => {
    const sphere = sphereGrid(32, 14, 8);
    const scores = Float32Array.from({ length: sphere.count }, (_, n) => n / sphere.count);
    const r = aggregateCoords(sphere.coords, scores, 1, 32, { fixOffset: true });
    expect(r.coords).toEqual(sphere.coords);
    expect(r.scores).toEqual(scores);
    expect(r.offset).toEqual([0, 0, 0]);
  });

  it('caps the count with a seeded random subset (the SAM 3D 42k cap), still sorted', () => {
    const sphere = sphereGrid(32, 16, 10);
    const scores = new Float32Array(sphere.count);
    const a = aggregateCoords(sphere.coords, scores, 1.25, 32, { fixOffset: false, maxVoxels: 500, rng: seededRng(1) });
    const b = aggregateCoords(sphere.coords, scores, 1.25, 32, { fixOffset: false, maxVoxels: 500, rng: seededRng(1) });
    const c = aggregateCoords(sphere.coords, scores, 1.25, 32, { fixOffset: false, maxVoxels: 500, rng: seededRng(2) });
    expect(a.coords.length).toBe(1500);
    expect(a.coords).toEqual(b.coords);
    expect(a.coords).not.toEqual(c.coords);
    expect(() => aggregateCoords(sphere.coords, scores, 1.25, 32, { fixOffset: false, maxVoxels: 500 })).toThrow(/rng/);
  });

  it('rejects malformed input with errors that say what to pass', () => {
    expect(() => aggregateCoords(new Int32Array(4), new Float32Array(1), 2, 32, { fixOffset: false })).toThrow(/multiple of 3/);
    expect(() => aggregateCoords(new Int32Array(3), new Float32Array(2), 2, 32, { fixOffset: false })).toThrow(/one score per voxel/);
    expect(() => aggregateCoords(Int32Array.from([0, 0, 40]), new Float32Array(1), 2, 32, { fixOffset: false })).toThrow(/outside the 32³ grid/);
    expect(() => aggregateCoords(new Int32Array(3), new Float32Array(1), 0.5, 32, { fixOffset: false })).toThrow(/≥ 1/);
  });
});

describe('offset fix (meshFixOffset)', () => {
  /** Posed voxel centres: p_cam = (s·S)·(p_obj + δ)·R + t, p_obj = (i + 0.5)/Res − 0.5. */
  function posedCentre(coords: Int32Array, res: number, scale: number, rot: number[], t: number[], delta = [0, 0, 0]) {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let n = 0; n < coords.length; n += 3) {
      const p = [0, 1, 2].map((a) => ((coords[n + a] + 0.5) / res - 0.5 + delta[a]) * scale);
      const q = [0, 1, 2].map((col) => p[0] * rot[col] + p[1] * rot[3 + col] + p[2] * rot[6 + col] + t[col]);
      for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], q[a]); hi[a] = Math.max(hi[a], q[a]); }
    }
    return { centre: lo.map((l, a) => (l + hi[a]) / 2), extent: lo.map((l, a) => hi[a] - l) };
  }

  // A rotation about z by 90° (rows b1, b2, b3), a camera translation and a layout scale.
  const rot = [0, 1, 0, -1, 0, 0, 0, 0, 1];
  const t = [0.1, -0.2, 2.5];
  const s = 0.8;

  it.each([1.25, 1.5, 2])('with S = %f, posed outputs with and without aggregation share their bbox centre', (S) => {
    // An off-centre object: the bbox-centred shrink moves it by (S − 1)·c in the posed frame without the fix.
    const obj = makeShape(64, (x, y, z) => (x - 45) ** 2 / 100 + (y - 20) ** 2 / 64 + (z - 38) ** 2 / 49 <= 1);
    const scores = new Float32Array(obj.count);
    const base = posedCentre(obj.coords, 64, s, rot, t);
    const fixed = aggregateCoords(obj.coords, scores, S, 64, { fixOffset: true });
    const withFix = posedCentre(fixed.coords, 64, s * S, rot, t, fixed.offset);
    for (let a = 0; a < 3; a++) expect(withFix.centre[a]).toBeCloseTo(base.centre[a], 9);
    // The posed size matches to within two aggregated voxels: the shrink's effective factor per axis is
    // (size − 1)/(size/S − 1), slightly more than S, and the result is rounded to the lattice.
    for (let a = 0; a < 3; a++) expect(Math.abs(withFix.extent[a] - base.extent[a])).toBeLessThanOrEqual((2 * s * S) / 64 + 1e-9);
    // Without the fix the centre is off by about (S − 1)·s·|c| (c ≈ 0.2 along x here).
    const plain = aggregateCoords(obj.coords, scores, S, 64, { fixOffset: false });
    expect(plain.offset).toEqual([0, 0, 0]);
    const noFix = posedCentre(plain.coords, 64, s * S, rot, t);
    const err = Math.hypot(...noFix.centre.map((v, a) => v - base.centre[a]));
    expect(err).toBeGreaterThan(0.5 * (S - 1) * s * 0.2);
  });
});
