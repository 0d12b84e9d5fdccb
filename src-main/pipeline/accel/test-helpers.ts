/**
 * Helpers for the acceleration tests: a seeded PRNG, the SAM 3D time grids, and minimal Euler samplers
 * that drive the policies exactly as the pipeline's samplers do (evaluate or predict, then x += dt·v).
 */
import { SS_MODALITIES, type PolicyContext, type SlatStepPolicy, type SsStepPolicy, type SsVelocity } from './types';

/** mulberry32: small, seeded, uniform in [0, 1). */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** t_i = s/(1 + (r − 1)(1 − s)), s = i/steps (r = rescaleT; SS uses 3, SLaT 1). */
export function timeGrid(steps: number, rescaleT: number): Float64Array {
  const t = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const s = i / steps;
    t[i] = s / (1 + (rescaleT - 1) * (1 - s));
  }
  return t;
}

/** CFG on step i iff 0 ≤ 1000·t_i ≤ 500. */
export function guided(grid: Float64Array, steps: number): boolean[] {
  return Array.from({ length: steps }, (_, i) => 1000 * grid[i] <= 500 + 1e-9);
}

export function context(steps: number, rescaleT: number, numTokens: number, channels: number, seed = 1): PolicyContext {
  const grid = timeGrid(steps, rescaleT);
  return { steps, timeGrid: grid, guidedSteps: guided(grid, steps), channels, numTokens, rng: seededRng(seed) };
}

export const SS_SIZES: Record<(typeof SS_MODALITIES)[number], number> = {
  shape: 16, rotation6d: 6, translation: 3, scale: 3, translationScale: 1,
};

/** Run an SS generation: `velocity(i, t)` is the guided network; returns used velocities and pass count. */
export function runSs(policy: SsStepPolicy, ctx: PolicyContext, velocity: (i: number, t: number) => SsVelocity) {
  let passes = 0;
  const used: SsVelocity[] = [];
  for (let i = 0; i < ctx.steps; i++) {
    let v: SsVelocity;
    if (policy.needsEvaluation(i)) {
      v = velocity(i, ctx.timeGrid[i]);
      passes += ctx.guidedSteps[i] ? 2 : 1;
      policy.record(i, v);
    } else {
      v = policy.predict(i);
    }
    used.push(v);
  }
  return { passes, used };
}

/** An SS velocity whose every element is `f(modality, element)`. */
export function ssVelocity(f: (m: (typeof SS_MODALITIES)[number], n: number) => number): SsVelocity {
  const v = {} as SsVelocity;
  for (const m of SS_MODALITIES) v[m] = Float32Array.from({ length: SS_SIZES[m] }, (_, n) => f(m, n));
  return v;
}

export interface SlatTrace {
  pattern: string;
  /** Per step: the plan kind, the rows sent to the network (null = all), x before the step, v used. */
  steps: Array<{ kind: 'cached' | 'full'; keep: Int32Array | null; x: Float32Array; v: Float32Array }>;
  evaluatedRows: number;
}

/** Run a SLaT generation with `network(i, t, xRows, rows)` returning the guided velocity of the rows. */
export function runSlat(
  policy: SlatStepPolicy, ctx: PolicyContext, x0: Float32Array,
  network: (i: number, t: number, xRows: Float32Array, rows: Int32Array) => Float32Array,
): SlatTrace {
  const C = ctx.channels;
  const x = Float32Array.from(x0);
  const trace: SlatTrace = { pattern: '', steps: [], evaluatedRows: 0 };
  for (let i = 0; i < ctx.steps; i++) {
    const xBefore = Float32Array.from(x);
    const plan = policy.plan(i, x);
    let v: Float32Array;
    if (plan.kind === 'cached') {
      v = plan.v;
      trace.steps.push({ kind: 'cached', keep: null, x: xBefore, v });
    } else {
      const rows = plan.keep ?? Int32Array.from({ length: ctx.numTokens }, (_, n) => n);
      const xRows = new Float32Array(rows.length * C);
      rows.forEach((r, k) => xRows.set(x.subarray(r * C, (r + 1) * C), k * C));
      const vSub = network(i, ctx.timeGrid[i], xRows, rows);
      trace.evaluatedRows += rows.length;
      v = policy.complete(i, x, vSub, plan.keep);
      trace.steps.push({ kind: 'full', keep: plan.keep, x: xBefore, v });
    }
    const dt = ctx.timeGrid[i + 1] - ctx.timeGrid[i];
    for (let n = 0; n < x.length; n++) x[n] += dt * v[n];
  }
  trace.pattern = policy.pattern;
  return trace;
}
