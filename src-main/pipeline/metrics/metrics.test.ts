import { describe, expect, it } from 'vitest';
import type { Layout } from '../types';
import { boxIntersectionVolume, orientedBoxIoU, type OrientedBox } from './box-iou';
import { chamferAndF1, geometryMetrics } from './geometry';
import { layoutMetrics, rotationErrorDeg } from './layout-error';
import { boxMesh, sphereMesh } from './test-meshes';
import { occupancyIoU, voxelizeSolid } from './voxelize';

/** Small deterministic generator for the tests (the metric code takes any seeded uniform source). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const makeUniform = () => lcg(1234);

const I3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
function rotZ(deg: number): number[] {
  const a = (deg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}
function layout(rotation: number[], translation: [number, number, number], scale: number): Layout {
  return { rotation, quaternion: [1, 0, 0, 0], translation, scale };
}
const unitBox = (center: [number, number, number] = [0, 0, 0]): OrientedBox => ({
  center, axes: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], half: [0.5, 0.5, 0.5],
});

describe('geometry metrics', () => {
  it('identical meshes give CD 0, F1 100, vIoU 1 and no colour error', () => {
    const m = sphereMesh(0.45);
    const r = geometryMetrics(m, m, { makeUniform, samples: 5000 });
    expect(r.cd).toBe(0);
    expect(r.f1).toBe(100);
    expect(r.viou).toBe(1);
    expect(r.colorL1).toBe(0);
  });

  it('a point set shifted by a known amount gives CD = shift and F1 by the threshold', () => {
    // Points 1 apart; a shift of 0.03 keeps every nearest neighbour on the shifted copy.
    const a: number[] = [];
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) a.push(i, j, 0);
    const shift = (d: number) => new Float32Array(a.map((v, k) => (k % 3 === 2 ? v + d : v)));
    const near = chamferAndF1(new Float32Array(a), shift(0.03), 0.05);
    expect(near.cd).toBeCloseTo(0.03, 6);
    expect(near.f1).toBe(100);
    const far = chamferAndF1(new Float32Array(a), shift(0.08), 0.05);
    expect(far.cd).toBeCloseTo(0.08, 6);
    expect(far.f1).toBe(0);
  });

  it('a cube shifted by 0.1 of its size: CD between the analytic bounds, vIoU = 0.9/1.1', () => {
    const ref = boxMesh([-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]);
    const pred = boxMesh([-0.4, -0.5, -0.5], [0.6, 0.5, 0.5]);
    const r = geometryMetrics(pred, ref, { makeUniform, samples: 20000 });
    // Overlap of the solids is 0.9 of a unit cube, union 1.1 (up to one voxel layer of 1.2/64).
    expect(r.viou).toBeCloseTo(0.9 / 1.1, 1);
    expect(Math.abs(r.viou - 0.9 / 1.1)).toBeLessThan(0.02);
    // The ±x faces (1/3 of the area) are 0.1 away, the rest ≤ 0.1 and mostly 0 (up to sampling gaps).
    expect(r.cd).toBeGreaterThan(0.03);
    expect(r.cd).toBeLessThan(0.1);
    expect(r.f1).toBeLessThan(90);
    expect(r.f1).toBeGreaterThan(50);
  });

  it('a uniformly scaled prediction counts as an error (normalisation uses the reference only)', () => {
    const ref = sphereMesh(0.4);
    const pred = sphereMesh(0.2);
    const r = geometryMetrics(pred, ref, { makeUniform, samples: 4000 });
    expect(r.cd).toBeGreaterThan(0.2);
    expect(r.viou).toBeCloseTo(1 / 8, 1);
  });
});

describe('solid voxelisation', () => {
  it('fills a sphere with the analytic volume', () => {
    const res = 64;
    const occ = voxelizeSolid(sphereMesh(0.4), res);
    const volume = occ.reduce((s, v) => s + v, 0) / res ** 3;
    expect(volume).toBeCloseTo((4 / 3) * Math.PI * 0.4 ** 3, 2);
    expect(occupancyIoU(occ, occ)).toBe(1);
  });
});

describe('oriented box IoU', () => {
  it('identical boxes → 1, disjoint → 0', () => {
    expect(orientedBoxIoU(unitBox(), unitBox())).toBeCloseTo(1, 12);
    expect(orientedBoxIoU(unitBox(), unitBox([2, 0, 0]))).toBe(0);
  });

  it('half-overlapping boxes → 1/3', () => {
    expect(orientedBoxIoU(unitBox(), unitBox([0.5, 0, 0]))).toBeCloseTo(1 / 3, 12);
  });

  it('a unit box against itself turned 45° about z: the regular octagon prism', () => {
    const c = Math.SQRT1_2;
    const turned: OrientedBox = { center: [0, 0, 0], axes: [[c, c, 0], [-c, c, 0], [0, 0, 1]], half: [0.5, 0.5, 0.5] };
    // Intersection of two unit squares at 45°: a regular octagon of area 2(√2 − 1).
    expect(boxIntersectionVolume(unitBox(), turned)).toBeCloseTo(2 * (Math.SQRT2 - 1), 10);
  });
});

describe('layout metrics', () => {
  it('identical layouts → 3D-IoU 1 and zero errors', () => {
    const l = layout(rotZ(30), [0.1, 0.2, 3], 0.8);
    const box: [[number, number, number], [number, number, number]] = [[-0.5, -0.4, -0.3], [0.5, 0.4, 0.3]];
    const m = layoutMetrics(l, box, l, box);
    expect(m.iou3d).toBeCloseTo(1, 10);
    expect(m.rotationErrorDeg).toBeCloseTo(0, 4);
    expect(m.translationError).toBe(0);
    expect(m.scaleError).toBe(0);
  });

  it('rotation error is geodesic and respects symmetry', () => {
    const a = layout(I3, [0, 0, 2], 1);
    const b = layout(rotZ(40), [0, 0, 2], 1);
    expect(rotationErrorDeg(b, a)).toBeCloseTo(40, 6);
    // A cylinder about z: any turn about z is free.
    expect(rotationErrorDeg(b, a, { axis: [0, 0, 1] })).toBeCloseTo(0, 4);
    // A square prism (C4 about z): 40° ≡ −50°, 130°, …; the best is 40°. 100° ≡ 10°.
    const c4 = [rotZ(90), rotZ(180), rotZ(270)];
    expect(rotationErrorDeg(layout(rotZ(100), [0, 0, 2], 1), a, { group: c4 })).toBeCloseTo(10, 6);
  });

  it('translation and scale errors are relative', () => {
    const ref = layout(I3, [0, 0, 2], 1);
    const pred = layout(I3, [0, 0.2, 2], 1.25);
    const box: [[number, number, number], [number, number, number]] = [[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]];
    const m = layoutMetrics(pred, box, ref, box);
    expect(m.translationError).toBeCloseTo(0.1, 10);
    expect(m.scaleError).toBeCloseTo(0.25, 10);
  });

  it('depth-aligned 3D-IoU removes the size-distance ambiguity and nothing else', () => {
    const box: [[number, number, number], [number, number, number]] = [[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]];
    const ref = layout(I3, [0.3, -0.2, 3], 1);
    // 1.4× larger at 1.4× the distance: the same picture, a poor 3D-IoU, a perfect aligned one.
    const far = layout(I3, [0.42, -0.28, 4.2], 1.4);
    const m = layoutMetrics(far, box, ref, box);
    expect(m.iou3d).toBeLessThan(0.3);
    expect(m.iou3dDepthAligned).toBeCloseTo(1, 6);
    // A wrong size at the right distance is not excused: aligning changes nothing there.
    const big = layout(I3, [0.3, -0.2, 3], 1.25);
    const mb = layoutMetrics(big, box, ref, box);
    expect(mb.iou3dDepthAligned).toBeCloseTo(mb.iou3d, 10);
    expect(mb.iou3d).toBeCloseTo(1 / 1.25 ** 3, 6);
  });
});
