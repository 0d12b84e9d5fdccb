import { describe, expect, it } from 'vitest';
import { decodeLayout, quaternionOf, rotationFrom6d } from '../../src-main/pipeline/layout';
import type { Manifest } from '../../src-main/pipeline/pack/manifest-schema';

/** Rotate v by the unit quaternion q = [w, x, y, z] (column-vector convention). */
function rotateByQuat(q: number[], v: number[]): number[] {
  const [w, x, y, z] = q;
  const m = [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
  return [0, 1, 2].map((r) => m[3 * r] * v[0] + m[3 * r + 1] * v[1] + m[3 * r + 2] * v[2]);
}

describe('layout decoding', () => {
  it('6D → orthonormal rows b1, b2, b3 (Gram-Schmidt, b3 = b1 × b2)', () => {
    const r = rotationFrom6d([2, 0, 0, 1, 3, 0]);
    expect(r.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const q = rotationFrom6d([0.3, -1.2, 0.5, 0.9, 0.1, -0.4]);
    const row = (i: number) => q.slice(3 * i, 3 * i + 3);
    const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    for (let i = 0; i < 3; i++) {
      expect(dot(row(i), row(i))).toBeCloseTo(1, 12);
      for (let j = i + 1; j < 3; j++) expect(dot(row(i), row(j))).toBeCloseTo(0, 12);
    }
    // right-handed: det = +1
    const det = dot(row(0), [q[4] * q[8] - q[5] * q[7], q[5] * q[6] - q[3] * q[8], q[3] * q[7] - q[4] * q[6]]);
    expect(det).toBeCloseTo(1, 12);
  });

  it('quaternion reproduces the matrix (matrix_to_quaternion convention, w ≥ 0) in every branch', () => {
    for (const r6 of [
      [1, 0, 0, 0, 1, 0],
      [-1, 0.1, 0, 0, -1, 0.2],
      [0, 1, 0, -1, 0, 0],
      [0.2, 0.1, -1, 1, 0, 0.1],
      [0.3, -1.2, 0.5, 0.9, 0.1, -0.4],
    ]) {
      const r = rotationFrom6d(r6);
      const q = quaternionOf(r);
      expect(q[0]).toBeGreaterThanOrEqual(0);
      expect(Math.hypot(...q)).toBeCloseTo(1, 12);
      for (const e of [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]) {
        const got = rotateByQuat(q, e);
        const want = [0, 1, 2].map((i) => r[3 * i] * e[0] + r[3 * i + 1] * e[1] + r[3 * i + 2] * e[2]);
        got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 10));
      }
    }
  });

  it('de-normalises 6D with the pack statistics; scale = mean(exp) × S; translation as predicted', () => {
    const m = { ss: { rotation6dMean: [1, 0, 0, 0, 1, 0], rotation6dStd: [2, 2, 2, 2, 2, 2] } } as unknown as Manifest;
    const l = decodeLayout(
      {
        rotation6d: Float32Array.from([0, 0, 0, 0, 0, 0]),
        translation: Float32Array.from([0.1, -0.2, 3]),
        scale: Float32Array.from([0, Math.log(2), Math.log(3)]),
      },
      m,
      1.5,
    );
    expect(l.rotation.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(l.quaternion).toEqual([1, 0, 0, 0]);
    expect(l.translation[2]).toBeCloseTo(3, 6);
    expect(l.scale).toBeCloseTo(((1 + 2 + 3) / 3) * 1.5, 6);
  });
});
