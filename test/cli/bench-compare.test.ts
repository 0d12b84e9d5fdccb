/**
 * `fastsam3d bench --compare A B` on two small hand-made results whose paired differences are worked out
 * here by hand: the per-object mean difference, its standard error over objects, the better/worse counts
 * and the two-standard-error verdict; and the clear errors for results that cannot be compared.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';
import { compareResults } from '../../bench/compare';
import type { Quality } from '../../bench/evaluate';
import type { BenchResult, QualitySummary } from '../../bench/report';

const quality = (f1: number, iou3d: number, rot: number): Quality => ({
  cd: 0.05, f1, precision: f1, recall: f1, viou: 0.3, colorL1: 40, iou3d, iou3dDepthAligned: iou3d, rotationErrorDeg: rot,
  translationError: 0.1, scaleError: 0.1, psnr: 10, ssim: 0.5,
});

/** A result of objects o0…o3 with the given per-object qualities (summary: means, median rotation). */
function result(version: string, perObject: Quality[], seeds = 3, ids = perObject.map((_, i) => `o${i}`)): BenchResult {
  const avg = (k: keyof Quality) => perObject.reduce((s, q) => s + q[k], 0) / perObject.length;
  const gt: QualitySummary = {
    cd: avg('cd'), f1: avg('f1'), viou: avg('viou'), iou3d: avg('iou3d'), iou3dDepthAligned: avg('iou3dDepthAligned'),
    rotationErrorDeg: 99, colorL1: avg('colorL1'), psnr: avg('psnr'), ssim: avg('ssim'),
  };
  return {
    date: '2026-12-04T00:00:00Z', command: 'test', machine: 'test', pack: { name: 'mini', version, dir: `/packs/${version}` },
    executionProvider: 'cpu', objects: ids, reps: 3, seed: 42, seeds, samples: 10000, peakRssMiB: 1, wallSeconds: 1,
    rows: [{
      label: 'off', method: 'off', group: 'baseline', params: {}, objectMs: 1, speedup: 1, speedupMedianPerObject: 1,
      stagesMs: {}, ssPasses: 1, slatPasses: 1, gt, baseline: null,
      perObject: perObject.map((vsGt, i) => ({ id: ids[i], ms: 1, speedup: 1, vsGt, vsOff: null })),
    }],
  };
}

// F1 differences per object: +4, +6, +5, +5 → mean 5, sample sd √(2/3), SE √(2/3)/2 = 0.408: better.
// 3D-IoU differences: +0.1, −0.1, +0.1, −0.1 → mean 0, SE 0.0577: within noise. Rotation: −10 each: better.
const A = result('0.6.0', [quality(50, 0.3, 30), quality(40, 0.4, 20), quality(60, 0.2, 25), quality(30, 0.5, 40)]);
const B = result('0.7.0', [quality(54, 0.4, 20), quality(46, 0.3, 10), quality(65, 0.3, 15), quality(35, 0.4, 30)]);

describe('bench --compare', () => {
  it('pairs the objects: mean difference, its standard error over objects, counts and verdicts', () => {
    const c = compareResults(A, B);
    const by = Object.fromEntries(c.metrics.map((m) => [m.key, m]));
    expect(by.f1.diff).toBeCloseTo(5, 12);
    expect(by.f1.se).toBeCloseTo(Math.sqrt(2 / 3) / 2, 12);
    expect([by.f1.objectsBetter, by.f1.objectsWorse, by.f1.verdict]).toEqual([4, 0, 'better']);
    expect([by.f1.a, by.f1.b]).toEqual([45, 50]);
    expect(by.iou3d.diff).toBeCloseTo(0, 12);
    expect(by.iou3d.se).toBeCloseTo(Math.sqrt(0.04 / 3) / 2, 12);
    expect([by.iou3d.objectsBetter, by.iou3d.objectsWorse, by.iou3d.verdict]).toEqual([2, 2, 'within noise']);
    // Lower is better for the rotation; its A/B columns are the summaries' medians, not recomputed.
    expect([by.rotationErrorDeg.diff, by.rotationErrorDeg.se, by.rotationErrorDeg.verdict]).toEqual([-10, 0, 'better']);
    expect([by.rotationErrorDeg.a, by.rotationErrorDeg.b]).toEqual([99, 99]);
    // Translation error is not in the summary: A/B are the per-object means; unchanged values are identical.
    expect([by.translationError.a, by.translationError.verdict]).toEqual([0.1, 'identical']);
    // A worse B is called worse.
    const worse = Object.fromEntries(compareResults(B, A).metrics.map((m) => [m.key, m.verdict]));
    expect([worse.f1, worse.rotationErrorDeg]).toEqual(['worse', 'worse']);
  });

  it('prints the Markdown table from the CLI and refuses results that cannot be paired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-compare-'));
    const write = (name: string, r: unknown) => { const f = join(dir, name); writeFileSync(f, JSON.stringify(r)); return f; };
    const a = write('a.json', A), b = write('b.json', B);
    const ok = await cli('bench', '--compare', a, b);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('A: mini 0.6.0 (`/packs/0.6.0`)');
    expect(ok.out).toContain('| F1@0.05 | 45.0 | 50.0 | +5.0 | 0.4 | 4 / 0 | better |');

    const fail = async (args: string[], message: RegExp) => {
      const r = await cli('bench', '--compare', ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(message);
    };
    await fail([a], /needs two bench\.json files/);
    await fail([a, write('other.json', result('x', [quality(1, 0, 1)], 3, ['z0']))], /different objects/);
    await fail([a, write('seeds.json', result('x', [quality(1, 0, 1), quality(1, 0, 1), quality(1, 0, 1), quality(1, 0, 1)], 1))], /different seeds/);
    await fail([a, write('sweep.json', { points: [] })], /not an object benchmark result/);
    await fail([a, join(dir, 'missing.json')], /cannot read .*missing\.json/);
    await fail([a, b, '--compare-method', 'fast-sam3d'], /no "fast-sam3d" row \(rows: off\)/);
  });
});
