import { describe, expect, it } from 'vitest';
import { DEFAULT_FOV_DEG, photoPlane, posedFovDeg, posedMatrix, transformPoint } from './pose';

/** Reference path written out step by step, independent of the matrix composition. */
function reference(p: [number, number, number], R: number[], s: number, t: number[]) {
  const obj = [p[0], -p[2], p[1]];
  const cam = [0, 1, 2].map((j) => s * (obj[0] * R[0 * 3 + j] + obj[1] * R[1 * 3 + j] + obj[2] * R[2 * 3 + j]) + t[j]);
  return [-cam[0], cam[1], -cam[2]];
}

describe('posed view transform', () => {
  it('puts the object in front of the camera (−Z) for identity rotation', () => {
    const m = posedMatrix({ rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 2], scale: 1 });
    expect(transformPoint(m, [0, 0, 0]).map((v) => v + 0)).toEqual([0, 0, -2]);
    // glTF +y is object +z, which identity R maps to camera forward: further from the camera.
    expect(transformPoint(m, [0, 0.5, 0])[2]).toBeCloseTo(-2.5);
  });

  it('matches the row-vector layout formula for a general rotation, scale and translation', () => {
    const a = 0.7, b = -0.4;
    const Rz = [Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a), 0, 0, 0, 1];
    const Rx = [1, 0, 0, 0, Math.cos(b), Math.sin(b), 0, -Math.sin(b), Math.cos(b)];
    const R = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => Rz[r * 3] * Rx[c] + Rz[r * 3 + 1] * Rx[3 + c] + Rz[r * 3 + 2] * Rx[6 + c]));
    const layout = { rotation: R, translation: [0.3, -0.2, 3.1] as [number, number, number], scale: 0.8 };
    const m = posedMatrix(layout);
    for (const p of [[0.1, 0.2, 0.3], [-0.5, 0.5, 0], [0.25, -0.4, 0.45]] as [number, number, number][]) {
      const got = transformPoint(m, p);
      reference(p, R, 0.8, layout.translation).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 10));
    }
    expect(() => posedMatrix({ ...layout, rotation: [1, 0] })).toThrow(/9 numbers/);
  });

  it('sizes the photo plane from the field of view and keeps the photo aspect', () => {
    const p = photoPlane(90, 2, 400, 200);
    expect(p.half).toBeCloseTo(2);
    expect(p.planeWidth).toBeCloseTo(4);
    expect(p.planeHeight).toBeCloseTo(2);
    expect(p.z).toBe(-2);
  });
});

describe('posed view field of view', () => {
  it("takes the run's camera first, then the pack's, then the default", () => {
    expect(posedFovDeg(55, 30, 25)).toBe(55);
    expect(posedFovDeg(undefined, 30, 25)).toBe(30);
    expect(posedFovDeg(undefined, undefined, 25)).toBe(25);
    expect(posedFovDeg(undefined, null, undefined)).toBe(DEFAULT_FOV_DEG);
    expect(posedFovDeg()).toBe(40);
  });

  it('skips values that are no field of view', () => {
    expect(posedFovDeg(0, Number.NaN, 180, -5, 62.5)).toBe(62.5);
    expect(posedFovDeg(Number.POSITIVE_INFINITY)).toBe(DEFAULT_FOV_DEG);
  });
});
