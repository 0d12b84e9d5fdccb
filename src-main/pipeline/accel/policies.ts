/**
 * Maps every Method of src-shared/params.ts to an SS step policy, a SLaT step policy and an aggregation
 * decision. The presets (off, fast-sam3d, balanced, max) are driven by the module switches in the
 * resolved params; the baselines apply one technique each, everything else off (docs/accelerations.md).
 */
import type { AccelParams, Method } from '../../../src-shared/params';
import { AdaptiveSlatPolicy, FullSlatPolicy, TaylorSlatPolicy } from './slat-policies';
import { FullSsPolicy, ResidualSsPolicy, TaylorSsPolicy } from './ss-policies';
import type { AggregationDecision, PolicyContext, Policies, SlatStepPolicy, SsStepPolicy } from './types';

/** Fixed factor of the uniform-merge baseline. */
export const UNIFORM_MERGE_FACTOR = 2;

function checkContext(ctx: PolicyContext): void {
  if (!Number.isInteger(ctx.steps) || ctx.steps < 1) throw new Error(`Policy context: steps ${ctx.steps} must be an integer ≥ 1.`);
  if (ctx.timeGrid.length !== ctx.steps + 1) {
    throw new Error(`Policy context: timeGrid has ${ctx.timeGrid.length} values, expected steps + 1 = ${ctx.steps + 1}.`);
  }
  if (ctx.guidedSteps.length < ctx.steps) {
    throw new Error(`Policy context: guidedSteps has ${ctx.guidedSteps.length} entries, expected one per step (${ctx.steps}).`);
  }
  if (!Number.isInteger(ctx.numTokens) || ctx.numTokens < 1 || !Number.isInteger(ctx.channels) || ctx.channels < 1) {
    throw new Error(`Policy context: numTokens (${ctx.numTokens}) and channels (${ctx.channels}) must be positive integers.`);
  }
}

const PRESET_METHODS: readonly Method[] = ['off', 'fast-sam3d', 'balanced', 'max'];

/** The SS step policy of `method` for a generation described by `ctx`. */
export function createSsPolicy(method: Method, p: AccelParams, ctx: PolicyContext): SsStepPolicy {
  checkContext(ctx);
  const taylor = (order: number, layoutMode: 'paper' | 'faithful', diffInT: boolean, fullAtCfgSwitch: boolean) =>
    new TaylorSsPolicy({
      steps: ctx.steps, warmup: p.ssWarmup, stride: p.ssCacheStride, order, layoutMode, beta: p.ssMomentumBeta,
      diffInT, fullAtCfgSwitch, timeGrid: ctx.timeGrid, guidedSteps: ctx.guidedSteps,
    });
  if (PRESET_METHODS.includes(method)) {
    return p.ssCache ? taylor(p.ssOrder, p.ssLayoutMode, p.ssDiffInT, p.ssFullAtCfgSwitch) : new FullSsPolicy();
  }
  switch (method) {
    case 'uniform-skip': return taylor(0, 'faithful', false, false);
    case 'taylorseer': return taylor(p.ssOrder, 'faithful', false, false);
    case 'easycache': return new ResidualSsPolicy(ctx, p.slatThresh, p.slatWarmup);
    case 'random-drop':
    case 'uniform-merge': return new FullSsPolicy();
    default: throw new Error(`Unknown method "${method}".`);
  }
}

/** The SLaT step policy of `method` for a generation described by `ctx` (numTokens = M after aggregation). */
export function createSlatPolicy(method: Method, p: AccelParams, ctx: PolicyContext): SlatStepPolicy {
  checkContext(ctx);
  if (PRESET_METHODS.includes(method)) {
    if (!p.slatCarving) return new FullSlatPolicy(ctx);
    return new AdaptiveSlatPolicy(ctx, {
      thresh: p.slatThresh, warmup: p.slatWarmup,
      carving: p.slatCarvingRatio > 0
        ? { ratio: p.slatCarvingRatio, spatialWeight: p.slatSpatialWeight, staleLimit: p.slatStaleLimit, selection: 'saliency' }
        : null,
    });
  }
  switch (method) {
    case 'uniform-skip': return new TaylorSlatPolicy(ctx, p.ssWarmup, p.ssCacheStride, 0);
    case 'taylorseer': return new TaylorSlatPolicy(ctx, p.ssWarmup, p.ssCacheStride, p.ssOrder);
    case 'easycache': return new AdaptiveSlatPolicy(ctx, { thresh: p.slatThresh, warmup: p.slatWarmup, carving: null });
    case 'random-drop':
      return new AdaptiveSlatPolicy(ctx, {
        thresh: 0, warmup: p.slatWarmup,
        carving: { ratio: p.slatCarvingRatio, spatialWeight: p.slatSpatialWeight, staleLimit: p.slatStaleLimit, selection: 'random' },
      });
    case 'uniform-merge': return new FullSlatPolicy(ctx);
    default: throw new Error(`Unknown method "${method}".`);
  }
}

/**
 * Whether the SLaT policy of `method` reads `PolicyContext.spatialScore` (the per-voxel HFER-3D score):
 * only saliency carving with a non-zero spatial weight does. Callers skip the 3-D inverse FFT otherwise.
 */
export function slatReadsSpatialScore(method: Method, p: AccelParams): boolean {
  return PRESET_METHODS.includes(method) && p.slatCarving && p.slatCarvingRatio > 0 && p.slatSpatialWeight > 0;
}

/**
 * Both policies from one stage context. The SLaT token count is only known after aggregation, so the
 * sampler calls this once per stage and takes `.ss` from the SS call and `.slat` from the SLaT call
 * (or calls createSsPolicy / createSlatPolicy directly).
 */
export function createPolicies(method: Method, params: AccelParams, ctx: PolicyContext): Policies {
  return { ss: createSsPolicy(method, params, ctx), slat: createSlatPolicy(method, params, ctx) };
}

/** What the aggregation step does for `method`. */
export function aggregationFor(method: Method, p: AccelParams): AggregationDecision {
  const base = { meshTauLow: p.meshTauLow, meshTauHigh: p.meshTauHigh, meshSpectralWeight2d: p.meshSpectralWeight2d };
  if (PRESET_METHODS.includes(method)) return { ...base, enabled: p.meshAggregation, fixOffset: p.meshFixOffset };
  if (method === 'uniform-merge') return { ...base, enabled: true, fixedFactor: UNIFORM_MERGE_FACTOR, fixOffset: p.meshFixOffset };
  return { ...base, enabled: false, fixOffset: false };
}

/** Counts for RunReport.schedules.<stage>: full = evaluated steps (F and C), carved = C steps. */
export function summariseSchedule(pattern: string, guidedSteps: boolean[]) {
  let full = 0, cached = 0, carved = 0, networkPasses = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === 'c') { cached++; continue; }
    if (ch !== 'F' && ch !== 'C') throw new Error(`Schedule pattern "${pattern}" has an unknown step code "${ch}" at ${i}.`);
    full++;
    if (ch === 'C') carved++;
    networkPasses += guidedSteps[i] ? 2 : 1;
  }
  return { pattern, full, cached, carved, networkPasses };
}
