/**
 * SS-stage step policies (module 1 and the SS side of the baselines). They act on the guided velocity:
 * a cached step skips both CFG passes.
 */
import { PatternLog, StrideSchedule, TaylorFactors } from './taylor';
import { ResidualCache } from './residual-cache';
import { SS_LAYOUT_MODALITIES, SS_MODALITIES, type PolicyContext, type SsModality, type SsStepPolicy, type SsVelocity } from './types';

function checkVelocity(i: number, v: SsVelocity): void {
  for (const m of SS_MODALITIES) {
    if (!(v[m] instanceof Float32Array)) {
      throw new Error(`SS velocity at step ${i} lacks the "${m}" modality (expected a Float32Array for each of ${SS_MODALITIES.join(', ')}).`);
    }
  }
}

/** No caching: every step is evaluated. */
export class FullSsPolicy implements SsStepPolicy {
  private log = new PatternLog();
  needsEvaluation(i: number): boolean {
    this.log.set(i, 'F');
    return true;
  }
  record(i: number, v: SsVelocity): void {
    checkVelocity(i, v);
  }
  predict(i: number): SsVelocity {
    throw new Error(`SS step ${i}: this policy never caches, evaluate the network.`);
  }
  get pattern(): string {
    return this.log.toString();
  }
}

export interface TaylorSsOptions {
  steps: number;
  warmup: number;
  stride: number;
  /** 0 = reuse the last evaluation (uniform-skip), 1 or 2 = Taylor extrapolation. */
  order: number;
  /** 'faithful': layout extrapolated like shape; 'paper': β·v_lin + (1 − β)·v_anchor on layout keys. */
  layoutMode: 'paper' | 'faithful';
  beta: number;
  /** Differences and distances in t instead of step index. */
  diffInT: boolean;
  /** Force a full step where guidance switches off. */
  fullAtCfgSwitch: boolean;
  timeGrid: Float64Array;
  guidedSteps: boolean[];
}

/**
 * Modality-aware step cache (Fast-SAM3D module 1); also the TaylorSeer (order 1/2, faithful layout) and
 * uniform-skip (order 0) baselines, which share its stride schedule.
 */
export class TaylorSsPolicy implements SsStepPolicy {
  private readonly schedule: StrideSchedule;
  private readonly taylor: TaylorFactors<SsModality>;
  private readonly log = new PatternLog();

  constructor(private readonly o: TaylorSsOptions) {
    if (o.beta < 0 || o.beta >= 1) throw new Error(`ssMomentumBeta ${o.beta} must be in [0, 1).`);
    const forced = (i: number) => o.fullAtCfgSwitch && i > 0 && o.guidedSteps[i - 1] === true && o.guidedSteps[i] === false;
    this.schedule = new StrideSchedule(o.steps, o.warmup, o.stride, forced);
    this.taylor = new TaylorFactors<SsModality>(o.order);
  }

  private position(i: number): number {
    return this.o.diffInT ? this.o.timeGrid[i] : i;
  }

  needsEvaluation(i: number): boolean {
    const full = this.schedule.isFull(i) || !this.taylor.hasFactors;
    this.log.set(i, full ? 'F' : 'c');
    return full;
  }

  record(i: number, v: SsVelocity): void {
    checkVelocity(i, v);
    // The public code stops taking differences for full steps ≥ steps − warmup + 1, kept for fidelity.
    // It only shows when such a full step is followed by a cached one, which then reuses f0 (order 0):
    // never for warm-up ≤ 3 at 25 steps (all presets), e.g. step 23 for warm-up 5 with k = 3.
    this.taylor.update(this.position(i), v, i < this.o.steps - this.o.warmup + 1);
  }

  predict(i: number): SsVelocity {
    if (this.log.get(i) !== 'c') throw new Error(`SS step ${i} was not scheduled as cached; call needsEvaluation(${i}) first.`);
    const pos = this.position(i);
    const out = {} as SsVelocity;
    for (const m of SS_MODALITIES) out[m] = this.taylor.predict(m, pos);
    if (this.o.layoutMode === 'paper' && this.o.order > 0) {
      const b = this.o.beta;
      for (const m of SS_LAYOUT_MODALITIES) {
        const anchor = this.taylor.anchor(m);
        const v = out[m];
        for (let n = 0; n < v.length; n++) v[n] = b * v[n] + (1 - b) * anchor[n];
      }
    }
    return out;
  }

  get pattern(): string {
    return this.log.toString();
  }
}

/**
 * EasyCache baseline on the SS stage: residual reuse with the accumulated-change threshold. The SS
 * policy never sees x, but the Euler update x ← x + (t_{i+1} − t_i)·v is fixed, and the rule only uses
 * differences of x, so a virtual x starting at 0 (all modalities concatenated) is exact.
 */
export class ResidualSsPolicy implements SsStepPolicy {
  private readonly cache: ResidualCache;
  private readonly log = new PatternLog();
  private x: Float32Array | null = null;
  private sizes: number[] = [];

  constructor(private readonly ctx: PolicyContext, thresh: number, warmup: number) {
    this.cache = new ResidualCache(thresh, warmup);
  }

  needsEvaluation(i: number): boolean {
    // Memoised: deciding accumulates the change error, so a second call for the same step must not.
    const known = this.log.get(i);
    if (known !== undefined) return known === 'F';
    const full = this.x === null || this.cache.decide(i, this.x);
    this.log.set(i, full ? 'F' : 'c');
    return full;
  }

  record(i: number, v: SsVelocity): void {
    checkVelocity(i, v);
    if (this.x === null) {
      this.sizes = SS_MODALITIES.map((m) => v[m].length);
      this.x = new Float32Array(this.sizes.reduce((a, b) => a + b, 0));
    }
    const flat = this.flatten(v);
    this.cache.recordFull(this.x, flat);
    this.advance(i, flat);
  }

  predict(i: number): SsVelocity {
    if (this.log.get(i) !== 'c' || this.x === null) throw new Error(`SS step ${i} was not scheduled as cached; call needsEvaluation(${i}) first.`);
    const flat = this.cache.reuse(this.x);
    this.advance(i, flat);
    return this.unflatten(flat);
  }

  private advance(i: number, v: Float32Array): void {
    const x = this.x as Float32Array;
    const dt = this.ctx.timeGrid[i + 1] - this.ctx.timeGrid[i];
    for (let n = 0; n < x.length; n++) x[n] += dt * v[n];
  }

  private flatten(v: SsVelocity): Float32Array {
    const out = new Float32Array((this.x as Float32Array).length);
    let at = 0;
    SS_MODALITIES.forEach((m, k) => {
      if (v[m].length !== this.sizes[k]) throw new Error(`SS velocity "${m}" changed length from ${this.sizes[k]} to ${v[m].length}.`);
      out.set(v[m], at);
      at += v[m].length;
    });
    return out;
  }

  private unflatten(flat: Float32Array): SsVelocity {
    const out = {} as SsVelocity;
    let at = 0;
    SS_MODALITIES.forEach((m, k) => {
      out[m] = flat.slice(at, at + this.sizes[k]);
      at += this.sizes[k];
    });
    return out;
  }

  get pattern(): string {
    return this.log.toString();
  }
}
