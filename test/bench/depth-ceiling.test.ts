/**
 * The 3D-IoU ceiling without depth (bench/depth-ceiling.ts): against a closed-form case, its limits, and the
 * numbers the model card quotes for the committed benchmark set.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBenchmarkSet, loadLayoutPrior } from '../../bench/benchmark-set';
import { depthPosterior, objectDepthCeiling, setDepthCeiling, type LayoutPrior } from '../../bench/depth-ceiling';
import { Rng } from '../../src-main/pipeline/rng';
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

  it('weights depths as a simulation of the generator\'s draws does, an occluder in front included', () => {
    const prior: LayoutPrior = { depth: [2.2, 3.6], scale: [0.7, 1.3], occluder: { depthFactor: [0.55, 0.75], scale: [0.3, 0.6] } };
    const uniform = (r: Rng, [a, b]: [number, number]) => a + (b - a) * r.uniform();
    const cdfGap = (sample: number[], post: NonNullable<ReturnType<typeof depthPosterior>>) => {
      sample.sort((a, b) => a - b);
      const total = post.weights.reduce((a, w) => a + w, 0);
      let gap = 0, acc = 0, i = 0;
      post.zs.forEach((z, j) => {
        acc += post.weights[j] / total;
        while (i < sample.length && sample[i] <= z + (post.hi - post.lo) / post.zs.length / 2) i++;
        gap = Math.max(gap, Math.abs(i / sample.length - acc));
      });
      return gap;
    };
    // Draw scenes as make_scene does; keep those whose apparent sizes fall in a narrow bin.
    const r = new Rng(7, 1);
    const alone: number[] = [], cued: number[] = [];
    const [rho, rhoOcc, bin] = [0.36, 0.19, 0.004];
    for (let n = 0; n < 3_000_000; n++) {
      const z = uniform(r, prior.depth), s = uniform(r, prior.scale);
      if (Math.abs(s / z - rho) > bin) continue;
      alone.push(z);
      const f = uniform(r, prior.occluder!.depthFactor), so = uniform(r, prior.occluder!.scale);
      if (Math.abs(so / (f * z) - rhoOcc) < bin) cued.push(z);
    }
    expect(alone.length).toBeGreaterThan(5000);
    expect(cued.length).toBeGreaterThan(1000);
    const postAlone = depthPosterior(rho, prior)!, postCued = depthPosterior(rho, prior, [rhoOcc])!;
    expect(cdfGap(alone, postAlone)).toBeLessThan(0.03);
    expect(cdfGap(cued, postCued)).toBeLessThan(0.05);
    // the occluder's cue is information: its posterior differs from the one without it
    expect(cdfGap(cued, postAlone)).toBeGreaterThan(0.1);
  });

  it('leaves out an object the prior cannot produce', () => {
    const prior: LayoutPrior = { depth: [2, 4], scale: [0.5, 1.5] };
    expect(objectDepthCeiling(onAxis(3, 9), UNIT, prior)).toBeNull(); // apparent size 3: would need depth ≤ 0.5
    const set = setDepthCeiling([{ id: 'far', layout: onAxis(3, 9), bbox: UNIT }, { id: 'ok', layout: onAxis(3, 1), bbox: UNIT }], prior)!;
    expect(set.perObject.map((o) => o.id)).toEqual(['ok']);
    expect(setDepthCeiling([{ id: 'far', layout: onAxis(3, 9), bbox: UNIT }], prior)).toBeNull();
    // an apparent size the prior allows, at a depth it does not (depth 5 against 2–4)
    expect(objectDepthCeiling(onAxis(5, 5 / 3), UNIT, prior)).toBeNull();
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
    expect(prior).toEqual({ depth: [2.2, 3.6], scale: [0.7, 1.3], occluder: { depthFactor: [0.55, 0.75], scale: [0.3, 0.6] } });
    const items = await loadBenchmarkSet(root);
    const c = setDepthCeiling(items, prior!)!;
    expect(c.perObject).toHaveLength(24);
    expect(c.perObject.filter((o) => o.occluders > 0)).toHaveLength(items.filter((i) => i.occluderMasks.length > 0).length);
    expect(c.expected.toFixed(3)).toBe('0.531');
    expect(c.realised.toFixed(3)).toBe('0.580');
    // without the occluders' cue
    const alone = setDepthCeiling(items, { depth: prior!.depth, scale: prior!.scale })!;
    expect([alone.expected.toFixed(3), alone.realised.toFixed(3)]).toEqual(['0.504', '0.517']);
  });
});
