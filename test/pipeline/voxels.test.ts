/** The voxel stage between SS decoding and SLaT: pruning, guards, aggregation (no ONNX involved). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineInputError } from '../../src-main/pipeline/errors';
import { ManifestSchema } from '../../src-main/pipeline/pack/manifest-schema';
import { resolveRunParams } from '../../src-main/pipeline/params-resolve';
import { prepareVoxels } from '../../src-main/pipeline/stages/voxels';
import { TINY_PACK } from './helpers/tiny-pack';

const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(TINY_PACK, 'manifest.json'), 'utf8')));
const R = manifest.grid.resolution;

/** Logits of a solid ball (positive inside). */
function ballLogits(radius: number): Float32Array {
  const out = new Float32Array(R * R * R).fill(-1);
  const c = (R - 1) / 2;
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++)
      for (let k = 0; k < R; k++) {
        if (Math.hypot(i - c, j - c, k - c) <= radius) out[(i * R + j) * R + k] = 1;
      }
  return out;
}

const cutout = () => {
  const rgba = new Uint8Array(32 * 32 * 4);
  for (let p = 0; p < 32 * 32; p++) rgba.set([(p * 37) % 256, (p * 91) % 256, (p * 13) % 256, 255], p * 4);
  return { rgba, width: 32, height: 32 };
};

describe('prepareVoxels', () => {
  it('off: the pruned surface shell, no aggregation, lexicographic coordinates', () => {
    const v = prepareVoxels(ballLogits(6), manifest, 'off', resolveRunParams('off'), cutout, 'ball');
    expect(v.agg.factorUsed).toBe(1);
    expect(v.agg.coords.length / 3).toBe(v.voxelsBefore);
    expect(v.hfer3d).toBe(0); // not computed when nothing needs it
    const c = v.agg.coords;
    for (let q = 1; q < c.length / 3; q++) {
      const a = (c[3 * q - 3] * R + c[3 * q - 2]) * R + c[3 * q - 1];
      const b = (c[3 * q] * R + c[3 * q + 1]) * R + c[3 * q + 2];
      expect(b).toBeGreaterThan(a);
    }
    let solid = 0;
    for (const x of ballLogits(6)) solid += x > 0 ? 1 : 0;
    expect(v.voxelsBefore).toBeLessThan(solid); // the interior was pruned
  });

  it('uniform-merge: S = 2 shrinks the set and the scores come along', () => {
    const v = prepareVoxels(
      ballLogits(6),
      manifest,
      'uniform-merge',
      resolveRunParams('uniform-merge'),
      cutout,
      'ball',
    );
    expect(v.agg.factorUsed).toBe(2);
    expect(v.agg.coords.length / 3).toBeLessThan(v.voxelsBefore);
    expect(v.agg.scores.length).toBe(v.agg.coords.length / 3);
    expect(v).toMatchObject({ enabled: true, decidedBy: 'fixed', hfer2d: 0, hfer3d: 0, score: 0 });
  });

  it('what set S is said, and the spectra are reported only where S came from them', () => {
    const fast = prepareVoxels(ballLogits(6), manifest, 'fast-sam3d', resolveRunParams('fast-sam3d'), cutout, 'ball');
    expect(fast).toMatchObject({ enabled: true, decidedBy: 'spectral' });
    expect(fast.score).toBeGreaterThan(0);
    // Aggregation off, carving on: HFER-3D is measured for the carving scores, but it set no factor.
    const noAgg = prepareVoxels(ballLogits(6), manifest, 'fast-sam3d', resolveRunParams('fast-sam3d', { meshAggregation: false }), cutout, 'ball');
    expect(noAgg.agg.scores.some((x) => x > 0)).toBe(true);
    expect(noAgg).toMatchObject({ enabled: false, decidedBy: 'off', hfer2d: 0, hfer3d: 0, score: 0 });
    expect(noAgg.agg.factorUsed).toBe(1);
    const off = prepareVoxels(ballLogits(6), manifest, 'off', resolveRunParams('off'), cutout, 'ball');
    expect(off).toMatchObject({ enabled: false, decidedBy: 'off', hfer2d: 0, hfer3d: 0, score: 0 });
    // Few voxels: the guard sets S = 1 without the spectra.
    const guarded = prepareVoxels(ballLogits(1), manifest, 'fast-sam3d', resolveRunParams('fast-sam3d'), cutout, 'dot');
    expect(guarded).toMatchObject({ enabled: true, decidedBy: 'voxelGuard', hfer2d: 0, score: 0 });
  });

  it('fast-sam3d: HFER-driven factor with both spectra measured', () => {
    const v = prepareVoxels(ballLogits(6), manifest, 'fast-sam3d', resolveRunParams('fast-sam3d'), cutout, 'ball');
    expect(v.hfer2d).toBeGreaterThan(0);
    expect(v.hfer3d).toBeGreaterThan(0);
    expect([1, 1.25, 1.5, 2]).toContain(v.agg.factorUsed);
  });

  it('guards: the pack cap keeps a seeded random subset with a warning; few voxels warn; none is an error', () => {
    const capped = { ...manifest, ss: { ...manifest.ss, maxVoxels: 50 } };
    const v = prepareVoxels(ballLogits(6), capped, 'off', resolveRunParams('off'), cutout, 'ball');
    expect(v.agg.coords.length / 3).toBe(50);
    expect(v.warnings.join()).toMatch(/exceed the pack's limit of 50; the voxel grid was halved \(S = 2\)/);
    expect(v.warnings.join()).toMatch(/a random subset was kept/);
    expect(v.agg.factorUsed).toBe(2);
    expect(v).toMatchObject({ enabled: false, decidedBy: 'voxelCap' });
    // a cap the halved grid fits under: halved, no random subset
    const halved = prepareVoxels(
      ballLogits(6),
      { ...manifest, ss: { ...manifest.ss, maxVoxels: 300 } },
      'off',
      resolveRunParams('off'),
      cutout,
      'ball',
    );
    expect(halved.agg.factorUsed).toBe(2);
    expect(halved.agg.coords.length / 3).toBeLessThan(300);
    expect(halved.warnings.join()).not.toMatch(/random subset/);
    const again = prepareVoxels(ballLogits(6), capped, 'off', resolveRunParams('off'), cutout, 'ball');
    expect(again.agg.coords).toEqual(v.agg.coords);
    const few = prepareVoxels(ballLogits(1), manifest, 'off', resolveRunParams('off'), cutout, 'dot');
    expect(few.warnings.join()).toMatch(/the pack expects at least 16/);
    expect(() =>
      prepareVoxels(new Float32Array(R ** 3).fill(-1), manifest, 'off', resolveRunParams('off'), cutout, 'void'),
    ).toThrow(PipelineInputError);
  });
});
