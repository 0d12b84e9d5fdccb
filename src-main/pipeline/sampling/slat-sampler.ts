/**
 * Structured-latent sampler: flow matching over N voxel tokens (C channels), Euler on the time grid,
 * CFG inside the interval with a 1-token zero condition. With a step policy, cached steps make no network
 * call and carved steps call slat_flow on a subset of the voxels with tables rebuilt for that subset.
 */
import type { SlatStepPolicy } from '../accel/types';
import { throwIfAborted } from '../errors';
import type { Pack } from '../pack';
import type { Manifest } from '../pack/manifest-schema';
import { RNG_STREAMS, Rng } from '../rng';
import { gatherRows } from '../sparse/occupancy';
import { slatTables } from '../sparse/tables';
import type { SlatTables } from '../sparse/tables';
import { guidedSteps, timeGrid } from './time-grid';

export interface SlatSchedule {
  steps: number;
  grid: Float64Array;
  guided: boolean[];
  strength: number;
}

export function slatSchedule(m: Manifest, overrides: { slatSteps?: number; slatCfgStrength?: number }): SlatSchedule {
  const steps = overrides.slatSteps ?? m.slat.steps;
  const strength = overrides.slatCfgStrength ?? m.slat.cfg.strength;
  const grid = timeGrid(steps, m.slat.rescaleT);
  return { steps, grid, guided: guidedSteps(grid, strength, m.slat.cfg.interval), strength };
}

/** N×C noise in coordinate order from the SLaT stream of the seed. */
export function slatNoise(numTokens: number, channels: number, seed: number): Float32Array {
  return new Rng(seed, RNG_STREAMS.slat).fillNormal(new Float32Array(numTokens * channels));
}

export interface SlatStepEvent {
  step: number;
  steps: number;
  kind: 'full' | 'cached' | 'carved';
  /**
   * Token rows this step sent to the network, over its passes (a guided step counts twice), and tokens it
   * carved out: the report's units (Schedule.tokensEvaluated / tokensCarved), so the window's running
   * counts end on the report's totals.
   */
  evaluated: number;
  carved: number;
}

export interface SlatSampleOptions {
  pack: Pack;
  schedule: SlatSchedule;
  /** (1, Lc2, D) condition of this object. */
  cond: { data: Float32Array; tokens: number };
  coords: Int32Array;
  noise: Float32Array;
  policy?: SlatStepPolicy;
  onStep?: (e: SlatStepEvent) => void;
  signal?: AbortSignal;
}

export interface SlatSampleResult {
  /** Final normalised latent, N×C. */
  x: Float32Array;
  networkPasses: number;
  pattern: string;
  tokensEvaluated: number;
  tokensCarved: number;
  /** Time spent building tables for carved subsets (ms), to show that rebuilding stays cheap. */
  tableMs: number;
}

export async function sampleSlat(o: SlatSampleOptions): Promise<SlatSampleResult> {
  const m = o.pack.manifest;
  const c = m.slat.channels;
  const res = m.grid.resolution;
  const dim = m.condition.dim;
  const n = o.coords.length / 3;
  const { grid, guided, steps, strength } = o.schedule;
  const x = Float32Array.from(o.noise);
  let tableMs = 0;
  let t0 = performance.now();
  const fullTables = slatTables(o.coords, res);
  tableMs += performance.now() - t0;
  const zeroCond = new Float32Array(dim);
  let networkPasses = 0,
    tokensEvaluated = 0,
    tokensCarved = 0;
  let pattern = '';

  const run = async (xs: Float32Array, t: SlatTables, step: number, zero: boolean): Promise<Float32Array> => {
    const rows = t.coords.length / 3;
    throwIfAborted(o.signal);
    const out = await o.pack.run('slat_flow', {
      x: { data: xs, dims: [rows, c] },
      t: { data: Float32Array.of(1000 * grid[step]), dims: [1] },
      cond: zero ? { data: zeroCond, dims: [1, 1, dim] } : { data: o.cond.data, dims: [1, o.cond.tokens, dim] },
      coords: { data: t.coords, dims: [rows, 3] },
      nbr_fine: { data: t.nbrFine, dims: [rows, 27] },
      nbr_coarse: { data: t.nbrCoarse, dims: [t.numCoarse, 27] },
      children: { data: t.children, dims: [t.numCoarse, 8] },
      inv_count: { data: t.invCount, dims: [t.numCoarse, 1] },
      fine_to_coarse: { data: t.fineToCoarse, dims: [rows] },
      coarse_xyz: { data: t.coarseXyz, dims: [t.numCoarse, 3] },
    });
    networkPasses++;
    tokensEvaluated += rows;
    return out.v.data;
  };

  for (let i = 0; i < steps; i++) {
    const plan = o.policy ? o.policy.plan(i, x) : ({ kind: 'full', keep: null } as const);
    let v: Float32Array;
    let kind: SlatStepEvent['kind'];
    let evaluated = 0,
      carved = 0;
    if (plan.kind === 'cached') {
      v = plan.v;
      kind = 'cached';
    } else {
      const keep = plan.keep;
      let tables = fullTables,
        xs = x;
      if (keep && keep.length < n) {
        t0 = performance.now();
        tables = slatTables(gatherRows(o.coords, 3, keep), res);
        tableMs += performance.now() - t0;
        xs = gatherRows(x, c, keep);
      }
      const vSub = await run(xs, tables, i, false);
      if (guided[i]) {
        const vu = await run(xs, tables, i, true);
        for (let e = 0; e < vSub.length; e++) vSub[e] = (1 + strength) * vSub[e] - strength * vu[e];
      }
      v = o.policy ? o.policy.complete(i, x, vSub, keep) : vSub;
      const rows = tables.coords.length / 3;
      evaluated = rows * (guided[i] ? 2 : 1);
      carved = n - rows;
      kind = carved > 0 ? 'carved' : 'full';
      tokensCarved += carved;
    }
    const dt = grid[i + 1] - grid[i];
    for (let e = 0; e < x.length; e++) x[e] += dt * v[e];
    pattern += kind === 'cached' ? 'c' : kind === 'carved' ? 'C' : 'F';
    o.onStep?.({ step: i, steps, kind, evaluated, carved });
  }
  return { x, networkPasses, pattern, tokensEvaluated, tokensCarved, tableMs };
}

/** slat·std + mean per channel (the mesh decoder's input). */
export function denormaliseSlat(x: Float32Array, m: Manifest): Float32Array {
  const c = m.slat.channels;
  const out = new Float32Array(x.length);
  for (let e = 0; e < x.length; e++) out[e] = x[e] * m.slat.std[e % c] + m.slat.mean[e % c];
  return out;
}
