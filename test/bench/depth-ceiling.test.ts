/**
 * The 3D-IoU ceiling without depth (bench/depth-ceiling.ts): against a closed-form case, its limits, and the
 * numbers the model card quotes for the committed benchmark set.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBenchmarkSet, loadLayoutPrior } from '../../bench/benchmark-set';
import { objectDepthCeiling, setDepthCeiling, type LayoutPrior } from '../../bench/depth-ceiling';
import type { Vec3 } from '../../src-main/pipeline/metrics/box-iou';
import type { Layout } from '../../src-main/pipeline/types';

const UNIT: [Vec3, Vec3] = [[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]];
const onAxis = (z: number, scale: number): Layout => ({
  rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], quaternion: [1, 0, 0, 0], translation: [0, 0, z], scale,
});

/** 3D-IoU of a unit cube at depth 3 on the optical axis against itself moved along the axis by k (closed form). */
function cubeIoU(k: number, z = 3): number {
  const xy = Math.min(k, 1) ** 2;
  const depth = Math.max(0, Math.min(z + 0.5, k * (z + 0.5)) - Math.max(z - 0.5, k * (z - 0.5)));
  const inter = xy * depth;
  return inter / (1 + k ** 3 - inter);
}

describe('3D-IoU ceiling without depth', () => {
  it('matches a brute-force Bayes guess for a cube on the optical axis', () => {
    const prior: LayoutPrior = { depth: [2, 4], scale: [0.5, 1.5] };
    const c = objectDepthCeiling(onAxis(3, 1), UNIT, prior)!;
    expect(c.feasible).toEqual([2, 4]); // apparent size 1/3: scale 0.5–1.5 allows 1.5–4.5, the depth prior 2–4
    // posterior ∝ z on [2, 4]; E(g) = ∫ z · IoU(g / z) dz / ∫ z dz, maximised over g on a fine grid
    const n = 4000;
    const zs = Array.from({ length: n }, (_, j) => 2 + (2 * (j + 0.5)) / n);
    const w = zs.reduce((a, z) => a + z, 0);
    let best = 0, bestG = 0;
    for (let i = 0; i <= 2000; i++) {
      const g = 2 + (2 * i) / 2000;
      const e = zs.reduce((a, z) => a + z * cubeIoU(g / z), 0) / w;
      if (e > best) [best, bestG] = [e, g];
    }
    expect(c.expected).toBeCloseTo(best, 3);
    expect(Math.abs(c.depth - bestG)).toBeLessThan(0.01);
    expect(c.realised).toBeCloseTo(cubeIoU(c.depth / 3), 3);
    expect(c.expected).toBeGreaterThan(0.3);
    expect(c.expected).toBeLessThan(0.9);
  });

  it('is 1 when the prior fixes the depth, and falls as the prior widens', () => {
    expect(objectDepthCeiling(onAxis(3, 1), UNIT, { depth: [2, 4], scale: [1, 1] })).toMatchObject({ expected: 1, realised: 1, depth: 3 });
    const widths = [0.05, 0.2, 0.5].map((h) => objectDepthCeiling(onAxis(3, 1), UNIT, { depth: [1, 5], scale: [1 - h, 1 + h] })!.expected);
    expect(widths[0]).toBeGreaterThan(widths[1]);
    expect(widths[1]).toBeGreaterThan(widths[2]);
  });

  it('leaves out an object the prior cannot produce', () => {
    const prior: LayoutPrior = { depth: [2, 4], scale: [0.5, 1.5] };
    expect(objectDepthCeiling(onAxis(3, 9), UNIT, prior)).toBeNull(); // apparent size 3: would need depth ≤ 0.5
    const set = setDepthCeiling([{ id: 'far', layout: onAxis(3, 9), bbox: UNIT }, { id: 'ok', layout: onAxis(3, 1), bbox: UNIT }], prior)!;
    expect(set.perObject.map((o) => o.id)).toEqual(['ok']);
    expect(setDepthCeiling([{ id: 'far', layout: onAxis(3, 9), bbox: UNIT }], prior)).toBeNull();
  });

  it('reads the prior from a set\'s index.json, and nothing from a set without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-prior-'));
    expect(await loadLayoutPrior(dir)).toBeNull();
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ layoutPrior: { depth: [3, 2], scale: [0.7, 1.3] } }));
    expect(await loadLayoutPrior(dir)).toBeNull(); // reversed range
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ layoutPrior: { depth: [2.2, 3.6], scale: [0.7, 1.3] } }));
    expect(await loadLayoutPrior(dir)).toEqual({ depth: [2.2, 3.6], scale: [0.7, 1.3] });
  });

  it('gives the committed benchmark set the ceiling the model card quotes', async () => {
    const root = resolve(__dirname, '../../resources/benchmark');
    const prior = await loadLayoutPrior(root);
    expect(prior).toEqual({ depth: [2.2, 3.6], scale: [0.7, 1.3] });
    const c = setDepthCeiling(await loadBenchmarkSet(root), prior!)!;
    expect(c.perObject).toHaveLength(24);
    expect(c.expected.toFixed(3)).toBe('0.504');
    expect(c.realised.toFixed(3)).toBe('0.517');
  });
});
