/**
 * `fastsam3d bench` end to end on the random-weight test pack: the object benchmark (--quick, 1 object)
 * and the scene benchmark write well-formed results. Timings are only checked to be measured (finite,
 * positive), never compared: wall-clock is not asserted anywhere.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';
import type { BenchResult } from '../../bench/report';
import type { Quality } from '../../bench/evaluate';
import type { SceneBenchResult } from '../../bench/scene-bench';
import { QUICK_LABELS } from '../../bench/methods';
import { toBenchOptions } from '../../src-main/cli/bench-command';
import { PSNR_CAP_DB } from '../../src-main/pipeline/metrics';

const ROOT = resolve(__dirname, '../..');
const PACK = join(ROOT, 'models/test-tiny');

const measured = (x: number) => Number.isFinite(x) && x > 0;

describe('fastsam3d bench', () => {
  it('--quick on one object: JSON rows for the quick methods with quality and pass counts, Markdown and SVG', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fs3d-bench-'));
    const r = await cli('bench', '--quick', '--pack', PACK, '--objects', '1', '--samples', '2000', '--out', out);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    expect(res.pack).toMatchObject({ name: 'test-tiny' });
    expect(res.objects).toHaveLength(1);
    expect(res.command).toBe(`fastsam3d bench --quick --pack ${PACK} --objects 1 --samples 2000 --out ${out}`);
    expect(res.rows.map((m) => m.label)).toEqual(QUICK_LABELS);
    const off = res.rows[0];
    expect(off.baseline).toBeNull();
    expect(off.speedup).toBeCloseTo(1, 12); // off against itself, by definition
    expect([off.ssPasses, off.slatPasses]).toEqual([44, 38]);
    const fast = res.rows.find((m) => m.label === 'fast-sam3d')!;
    expect(fast.ssPasses).toBe(17);
    for (const m of res.rows) {
      expect(measured(m.objectMs) && measured(m.speedup)).toBe(true);
      expect(m.perObject).toHaveLength(1);
      // F1 is the harmonic mean of the reported precision and recall (one object, one seed)
      const { f1, precision, recall } = m.perObject[0].vsGt as Quality;
      expect(precision + recall).toBeGreaterThan(0);
      expect(f1).toBeCloseTo((2 * precision * recall) / (precision + recall), 6);
      for (const q of [m.gt, m.baseline].filter((x) => x !== null)) {
        expect(q.f1).toBeGreaterThanOrEqual(0);
        expect(q.f1).toBeLessThanOrEqual(100);
        expect(q.psnr).toBeGreaterThan(0);
        expect(q.psnr).toBeLessThanOrEqual(PSNR_CAP_DB);
        expect(Math.abs(q.ssim)).toBeLessThanOrEqual(1);
      }
    }
    // The set's 3D-IoU ceiling without depth comes with every run, computed on the objects it ran
    expect(res.depthCeiling?.perObject.map((o) => o.id)).toEqual(res.objects);
    expect(res.depthCeiling!.expected).toBeGreaterThan(0);
    expect(res.depthCeiling!.expected).toBeLessThanOrEqual(1);
    const md = readFileSync(join(out, 'tables.md'), 'utf8');
    expect(md).toContain('3D-IoU ceiling without depth: **');
    expect(md).toContain('| PSNR (dB) ↑ | SSIM ↑ |');
    expect(md).toContain('| speed-up | CPU-time speed-up | SS passes |'); // the CPU-time check next to the wall-clock one
    const offRow = md.split('\n').find((l) => l.startsWith('| off |'))!;
    expect(offRow).toContain(`| ${res.rows[0].speedup.toFixed(2)}× | ${res.rows[0].speedupCpu!.toFixed(2)}× |`);
    expect(md).toContain('## Module ablation');
    expect(r.out).toContain('## Against ground truth');
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it('--seeds 2 pools quality over the object × seed pairs of seeds 42 and 43, each as its own run scores it', async () => {
    const run = async (...args: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'fs3d-bench-'));
      const r = await cli('bench', '--pack', PACK, '--objects', '1', '--methods', 'off', '--samples', '2000', '--out', out, ...args);
      expect(r.code).toBe(0);
      return { res: JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult, md: readFileSync(join(out, 'tables.md'), 'utf8'), err: r.err };
    };
    const [a, b, pooled] = [await run('--reps', '1', '--seed', '42'), await run('--reps', '1', '--seed', '43'), await run('--reps', '1', '--seeds', '2')];
    expect(pooled.res).toMatchObject({ seed: 42, seeds: 2, reps: 2 }); // --reps 1 raised to the seed count, and said so
    expect(pooled.err).toContain('bench: --reps 1 raised to 2: with --seeds 2 every object runs seeds 42–43, one repetition per seed');
    expect(a.err).not.toContain('raised');
    expect(pooled.md).toContain('quality over seeds 42–43 (object × seed pairs)');
    const [qa, qb, qp] = [a, b, pooled].map((x) => x.res.rows[0].gt);
    expect(qa.f1).not.toBe(qb.f1); // the two seeds give different shapes, so the check below has teeth
    expect(qp.f1).toBeCloseTo((qa.f1 + qb.f1) / 2, 9);
    expect(qp.cd).toBeCloseTo((qa.cd + qb.cd) / 2, 9);
    expect(qp.rotationErrorDeg).toBeCloseTo((qa.rotationErrorDeg + qb.rotationErrorDeg) / 2, 9); // median of two
  });

  it('--scene: runScene against three runObject calls for off and fast-sam3d, written into its docs section only', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fs3d-bench-'));
    const docs = join(out, 'benchmarks.md');
    writeFileSync(docs, '# Benchmarks\n\nHand-written text stays.\n');
    const r = await cli('bench', '--scene', '--pack', PACK, '--reps', '1', '--out', out, '--write-docs', '--docs-file', docs);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'scene.json'), 'utf8')) as SceneBenchResult;
    expect(res.objects).toBe(3);
    expect(res.rows.map((x) => x.method)).toEqual(['off', 'fast-sam3d']);
    for (const x of res.rows) {
      expect([x.sceneMs, x.separateMs, x.sceneSpeedup, x.sceneSpeedupCpu].every(measured)).toBe(true);
      expect(x.ssPassesSeparate).toBe(3 * x.ssPassesScene); // one batched pass per step for the three objects
      expect([x.conditionPassesSeparate, x.conditionPassesScene]).toEqual([3, 1]);
    }
    expect(res.rows[0].ssPassesScene).toBe(44);
    const doc = readFileSync(docs, 'utf8');
    expect(doc).toMatch(/^# Benchmarks\n\nHand-written text stays\.\n\n<!-- bench:scene -->\n## Scene time\n[\s\S]*<!-- \/bench:scene -->\n$/);
    expect(existsSync(join(out, 'scene.md'))).toBe(true);
  });

  it('--fit-to-mask [--mask-occluders] --colour-from-photo: every run fits the shape and takes the photo\'s colours, said in the results', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fs3d-bench-'));
    const r = await cli('bench', '--pack', PACK, '--objects', '1', '--methods', 'off', '--reps', '1', '--samples', '2000', '--fit-to-mask', '--mask-occluders', '--colour-from-photo', '--out', out);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    expect(res).toMatchObject({ fitToMask: true, maskOccluders: true, colourFromPhoto: true, objects: ['00-mug'] });
    expect(readFileSync(join(out, 'tables.md'), 'utf8')).toContain('Every run fits the shape to the mask (`--fit-to-mask`; not in SAM 3D), with the objects in front masked too (`--mask-occluders`). Every mesh is coloured from the photo (`--colour-from-photo`; not in SAM 3D).');
  });

  it('exit 2 with a message for bad options', async () => {
    const both = await cli('bench', '--sweep', '--scene', '--pack', PACK);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--sweep and --scene are separate runs/);
    const zero = await cli('bench', '--objects', '0', '--pack', PACK);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--objects needs a positive integer, got "0"/);
    const seeds = await cli('bench', '--seeds', '1.5', '--pack', PACK);
    expect(seeds.code).toBe(2);
    expect(seeds.err).toMatch(/--seeds needs a positive integer, got "1.5"/);
    const oracle = await cli('bench', '--oracle', 'mesh', '--pack', PACK);
    expect(oracle.code).toBe(2);
    expect(oracle.err).toMatch(/--oracle needs one of ss-latent, occupancy, slat, got "mesh"/);
    const noInputs = await cli('bench', '--oracle', 'slat', '--oracle-dir', join(ROOT, 'nope'), '--pack', PACK);
    expect(noInputs.code).toBe(2);
    expect(noInputs.err).toMatch(/--oracle-dir ".*nope" is not a folder; pass the ground-truth stage outputs of .*oracle_inputs/);
    const oracleSweep = await cli('bench', '--sweep', '--oracle', 'slat', '--pack', PACK);
    expect(oracleSweep.code).toBe(2);
    expect(oracleSweep.err).toMatch(/--oracle runs with the object benchmark/);
    const samples = await cli('bench', '--ss-samples', '9', '--pack', PACK);
    expect(samples.code).toBe(2);
    expect(samples.err).toMatch(/--ss-samples must be within \[1, 8\], got 9/);
    const samplesScene = await cli('bench', '--scene', '--ss-samples', '3', '--pack', PACK);
    expect(samplesScene.code).toBe(2);
    expect(samplesScene.err).toMatch(/--ss-samples runs with the object benchmark/);
    const fitSweep = await cli('bench', '--sweep', '--fit-to-mask', '--pack', PACK);
    expect(fitSweep.code).toBe(2);
    expect(fitSweep.err).toMatch(/--fit-to-mask runs with the object benchmark/);
    const colourScene = await cli('bench', '--scene', '--colour-from-photo', '--pack', PACK);
    expect(colourScene.code).toBe(2);
    expect(colourScene.err).toMatch(/--colour-from-photo runs with the object benchmark, not --sweep or --scene/);
    const occluders = await cli('bench', '--mask-occluders', '--pack', PACK);
    expect(occluders.code).toBe(2);
    expect(occluders.err).toMatch(/--mask-occluders goes with --fit-to-mask/);
    const label = await cli('bench', '--methods', 'off,fast', '--pack', PACK);
    expect(label.code).toBe(2);
    expect(label.err).toMatch(/unknown row label\(s\) "fast"; known: off, fast-sam3d/);
    const set = await cli('bench', '--set', join(ROOT, 'nope'), '--pack', PACK);
    expect(set.code).toBe(2);
    expect(set.err).toMatch(/--set ".*nope" is not a folder; pass the held-out benchmark set/);
    // The seed is a sampler setting: the range and message of `fastsam3d infer --seed`, before any work.
    const seed = await cli('bench', '--seed', '2147483648', '--pack', PACK);
    expect(seed.code).toBe(2);
    expect(seed.err).toMatch(/--seed must be within \[0, 2147483647\], got 2147483648/);
    expect(seed.err).not.toMatch(/invalid parameters/);
    const lastSeed = await cli('bench', '--seed', '2147483647', '--seeds', '2', '--pack', PACK);
    expect(lastSeed.code).toBe(2);
    expect(lastSeed.err).toMatch(/--seed 2147483647 with --seeds 2 would run seed 2147483648; seeds go up to 2147483647/);
    const quickFull = await cli('bench', '--quick', '--full', '--pack', PACK);
    expect(quickFull.code).toBe(2);
    expect(quickFull.err).toMatch(/--quick \(2 objects\) and --full \(every object\) contradict each other/);
    const seedsScene = await cli('bench', '--scene', '--seeds', '2', '--pack', PACK);
    expect(seedsScene.code).toBe(2);
    expect(seedsScene.err).toMatch(/--seeds runs with the object benchmark or --sweep, not --scene/);
  });

  it('runs from any folder: the set and docs default to the installation\'s, the results go under the current folder', async () => {
    const here = mkdtempSync(join(tmpdir(), 'fs3d-bench-cwd-'));
    const before = process.cwd();
    process.chdir(here);
    try {
      const r = await cli('bench', '--pack', PACK, '--objects', '1', '--methods', 'off', '--reps', '1', '--samples', '500');
      expect(r.err).not.toMatch(/error/);
      expect(r.code).toBe(0);
      const json = join(realpathSync(here), 'bench-results', 'latest', 'bench.json');
      expect(r.err).toContain(`bench: wrote ${json}\n`);
      expect((JSON.parse(readFileSync(json, 'utf8')) as BenchResult).objects).toEqual(['00-mug']);
      // The other defaults that name files resolve against the installation too (checked without running).
      const o = toBenchOptions({ scene: true }, []);
      expect(resolve(o.scene)).toBe(join(ROOT, 'resources/examples/scene-three'));
      expect(resolve(o.docsFile)).toBe(join(ROOT, 'docs/benchmarks.md'));
      expect(resolve(o.oracleDir)).toBe(join(ROOT, 'bench-results/oracle-inputs'));
      expect(resolve(toBenchOptions({}, []).set)).toBe(join(ROOT, 'resources/benchmark'));
    } finally {
      process.chdir(before);
    }
  });
});
