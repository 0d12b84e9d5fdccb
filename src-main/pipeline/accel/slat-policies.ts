/**
 * SLaT-stage step policies: Fast-SAM3D module 2 (adaptive step caching + token carving), and the SLaT
 * side of the baselines. Carved rows keep the velocity they had at the previous step.
 */
import { TokenCarver, type CarvingOptions } from './carving';
import { ResidualCache } from './residual-cache';
import { PatternLog, StrideSchedule, TaylorFactors } from './taylor';
import type { PolicyContext, SlatPlan, SlatStepPolicy } from './types';

/** Carving starts at this step (the public code's hard-coded carving warm-up). */
export const CARVING_FIRST_STEP = 2;

function checkLatent(ctx: PolicyContext, i: number, x: Float32Array): void {
  if (x.length !== ctx.numTokens * ctx.channels) {
    throw new Error(`SLaT step ${i}: latent has ${x.length} values, expected ${ctx.numTokens}×${ctx.channels}.`);
  }
}

/** Scatter the subset velocity into a full M×C array, other rows from `base`. */
function scatter(ctx: PolicyContext, vSubset: Float32Array, keep: Int32Array | null, base: Float32Array | null): Float32Array {
  const C = ctx.channels;
  if (keep === null) {
    if (vSubset.length !== ctx.numTokens * C) throw new Error(`SLaT velocity has ${vSubset.length} values, expected ${ctx.numTokens}×${C}.`);
    return Float32Array.from(vSubset);
  }
  if (vSubset.length !== keep.length * C) throw new Error(`SLaT subset velocity has ${vSubset.length} values for ${keep.length} kept rows × ${C} channels.`);
  if (!base) throw new Error('SLaT: a carved step needs the previous velocity.');
  const v = Float32Array.from(base);
  for (let k = 0; k < keep.length; k++) v.set(vSubset.subarray(k * C, (k + 1) * C), keep[k] * C);
  return v;
}

abstract class BaseSlatPolicy implements SlatStepPolicy {
  protected readonly log = new PatternLog();
  protected evaluated = 0;
  protected carved = 0;
  constructor(protected readonly ctx: PolicyContext) {}
  abstract plan(i: number, x: Float32Array): SlatPlan;
  abstract complete(i: number, x: Float32Array, vSubset: Float32Array, keep: Int32Array | null): Float32Array;
  get pattern(): string {
    return this.log.toString();
  }
  get tokensEvaluated(): number {
    return this.evaluated;
  }
  get tokensCarved(): number {
    return this.carved;
  }
  protected countFull(keep: Int32Array | null): void {
    const n = keep ? keep.length : this.ctx.numTokens;
    this.evaluated += n;
    this.carved += this.ctx.numTokens - n;
  }
}

/** No acceleration: every step, every token. */
export class FullSlatPolicy extends BaseSlatPolicy {
  plan(i: number, x: Float32Array): SlatPlan {
    checkLatent(this.ctx, i, x);
    this.log.set(i, 'F');
    this.countFull(null);
    return { kind: 'full', keep: null };
  }
  complete(_i: number, _x: Float32Array, vSubset: Float32Array, keep: Int32Array | null): Float32Array {
    return scatter(this.ctx, vSubset, keep, null);
  }
}

/** Stride schedule with Taylor extrapolation of every token (taylorseer) or plain reuse (uniform-skip, order 0). */
export class TaylorSlatPolicy extends BaseSlatPolicy {
  private readonly schedule: StrideSchedule;
  private readonly taylor: TaylorFactors<'v'>;
  constructor(ctx: PolicyContext, warmup: number, stride: number, order: number) {
    super(ctx);
    this.schedule = new StrideSchedule(ctx.steps, warmup, stride);
    this.taylor = new TaylorFactors<'v'>(order);
  }
  plan(i: number, x: Float32Array): SlatPlan {
    checkLatent(this.ctx, i, x);
    if (this.schedule.isFull(i) || !this.taylor.hasFactors) {
      this.log.set(i, 'F');
      this.countFull(null);
      return { kind: 'full', keep: null };
    }
    this.log.set(i, 'c');
    return { kind: 'cached', v: this.taylor.predict('v', i) };
  }
  complete(i: number, _x: Float32Array, vSubset: Float32Array, keep: Int32Array | null): Float32Array {
    const v = scatter(this.ctx, vSubset, keep, null);
    this.taylor.update(i, { v });
    return Float32Array.from(v);
  }
}

export interface AdaptiveSlatOptions {
  /** Accumulated-change threshold (0 = no step caching). */
  thresh: number;
  warmup: number;
  /** null = no carving. */
  carving: CarvingOptions | null;
}

/**
 * Fast-SAM3D SLaT module (adaptive step caching + carving); with `carving: null` the EasyCache baseline,
 * with random selection the random-drop baseline.
 */
export class AdaptiveSlatPolicy extends BaseSlatPolicy {
  private readonly cache: ResidualCache;
  private readonly carver: TokenCarver | null;

  constructor(ctx: PolicyContext, private readonly o: AdaptiveSlatOptions) {
    super(ctx);
    this.cache = new ResidualCache(o.thresh, o.warmup);
    this.carver = o.carving && o.carving.ratio > 0
      ? new TokenCarver(ctx.numTokens, ctx.channels, o.carving, ctx.spatialScore, ctx.rng)
      : null;
  }

  plan(i: number, x: Float32Array): SlatPlan {
    checkLatent(this.ctx, i, x);
    if (!this.cache.decide(i, x)) {
      this.log.set(i, 'c');
      return { kind: 'cached', v: this.cache.reuse(x) };
    }
    const prevV = this.cache.previousVelocity;
    let keep: Int32Array | null = null;
    const budget = this.carver?.budget ?? 0;
    if (this.carver && prevV && i >= CARVING_FIRST_STEP && budget > 0 && budget < this.ctx.numTokens) {
      keep = this.carver.select(prevV);
      if (keep.length === this.ctx.numTokens) keep = null; // every candidate was stale: a plain full step
    }
    this.log.set(i, keep ? 'C' : 'F');
    this.countFull(keep);
    return { kind: 'full', keep };
  }

  complete(_i: number, x: Float32Array, vSubset: Float32Array, keep: Int32Array | null): Float32Array {
    const v = scatter(this.ctx, vSubset, keep, this.cache.previousVelocity);
    this.cache.recordFull(x, v);
    return v;
  }
}
