import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../../src-shared/params';
import { createSsPolicy } from './policies';
import { summariseSchedule } from './policies';
import { TaylorSsPolicy, type TaylorSsOptions } from './ss-policies';
import { context, runSs, ssVelocity, timeGrid } from './test-helpers';
import { SS_LAYOUT_MODALITIES, SS_MODALITIES } from './types';

const ctx = context(25, 3, 16, 8);

function taylorPolicy(over: Partial<TaylorSsOptions>): TaylorSsPolicy {
  return new TaylorSsPolicy({
    steps: 25, warmup: 2, stride: 3, order: 1, layoutMode: 'faithful', beta: 0.5, diffInT: false,
    fullAtCfgSwitch: false, timeGrid: ctx.timeGrid, guidedSteps: ctx.guidedSteps, ...over,
  });
}

/** A velocity that is linear in the step index: v = a + b·i per element. */
const linearInStep = (i: number) => ssVelocity((m, n) => 0.3 * n - 1 + (0.05 + 0.01 * n) * i + (m === 'shape' ? 0 : 0.5));

describe('SS time grid and guidance (SAM 3D rescale_t = 3)', () => {
  it('matches the quoted t values and guides steps 0-18', () => {
    const t = timeGrid(25, 3);
    expect(t[1]).toBeCloseTo(0.0137, 4);
    expect(t[18]).toBeCloseTo(0.4615, 4);
    expect(t[19]).toBeCloseTo(0.5135, 4);
    expect(t[24]).toBeCloseTo(0.8889, 4);
    expect(t[25]).toBe(1);
    expect(ctx.guidedSteps.map((g, i) => (g ? i : -1)).filter((i) => i >= 0)).toEqual(Array.from({ length: 19 }, (_, i) => i));
  });
});

describe('SS modality-aware step caching: schedule', () => {
  it.each([
    [3, 2, 'FFccFccFccFccFccFccFccFcF', 17],
    [2, 2, 'FFcFcFcFcFcFcFcFcFcFcFcFF', 24],
    [3, 3, 'FFFccFccFccFccFccFccFccFF', 19],
    [4, 2, 'FFcccFcccFcccFcccFcccFccF', 14],
    [1, 2, 'F'.repeat(25), 44],
  ])('stride %i warm-up %i → %s with %i network passes', (stride, warmup, pattern, passes) => {
    const policy = taylorPolicy({ stride, warmup });
    const run = runSs(policy, ctx, linearInStep);
    expect(policy.pattern).toBe(pattern);
    expect(run.passes).toBe(passes);
    expect(summariseSchedule(policy.pattern, ctx.guidedSteps).networkPasses).toBe(passes);
  });

  it('the default fast-sam3d preset gives FFccFccFccFccFccFccFccFcF: 10 full steps, 17 passes instead of 44', () => {
    const params = resolveParams('fast-sam3d');
    const policy = createSsPolicy('fast-sam3d', params, ctx);
    const run = runSs(policy, ctx, linearInStep);
    expect(policy.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    expect(summariseSchedule(policy.pattern, ctx.guidedSteps)).toEqual({
      pattern: 'FFccFccFccFccFccFccFccFcF', full: 10, cached: 15, carved: 0, networkPasses: 17,
    });
    expect(run.passes).toBe(17);
    const off = runSs(createSsPolicy('off', resolveParams('off'), ctx), ctx, linearInStep);
    expect(off.passes).toBe(44);
  });

  it('asking twice for the same step does not change the schedule (stride and residual policies)', () => {
    for (const method of ['fast-sam3d', 'easycache'] as const) {
      const params = resolveParams('fast-sam3d');
      const once = createSsPolicy(method, params, ctx);
      const twice = createSsPolicy(method, params, ctx);
      const v = (i: number) => ssVelocity((_m, n) => (1 + n) * Math.exp(-0.15 * i));
      runSs(once, ctx, v);
      for (let i = 0; i < 25; i++) {
        twice.needsEvaluation(i);
        if (twice.needsEvaluation(i)) twice.record(i, v(i));
        else twice.predict(i);
      }
      expect(twice.pattern).toBe(once.pattern);
    }
    expect(() => createSsPolicy('fast-sam3d', resolveParams('fast-sam3d'), ctx).needsEvaluation(3)).toThrow(/in order/);
  });

  it('rejects warm-up 0 with a stride ≥ 2 and names the parameter', () => {
    expect(() => taylorPolicy({ warmup: 0, stride: 3 })).toThrow(/ssWarmup/);
    expect(() => taylorPolicy({ warmup: 0, stride: 1 })).not.toThrow();
  });

  it('forces a full step where guidance switches off when ssFullAtCfgSwitch is on', () => {
    const plain = taylorPolicy({ stride: 4 });
    runSs(plain, ctx, linearInStep);
    expect(plain.pattern[19]).toBe('c');
    const forced = taylorPolicy({ stride: 4, fullAtCfgSwitch: true });
    runSs(forced, ctx, linearInStep);
    expect(forced.pattern).toBe('FFcccFcccFcccFcccFcFcccFF');
    // Guided step 18 is cached in both; the extrapolation after 19 starts from an unguided evaluation.
    expect(forced.pattern[19]).toBe('F');
  });
});

describe('SS Taylor prediction', () => {
  it('is exact on a velocity path linear in the step index (order 1 and 2)', () => {
    for (const order of [1, 2]) {
      const policy = taylorPolicy({ order });
      const run = runSs(policy, ctx, linearInStep);
      run.used.forEach((v, i) => {
        const truth = linearInStep(i);
        for (const m of SS_MODALITIES) {
          for (let n = 0; n < truth[m].length; n++) expect(v[m][n]).toBeCloseTo(truth[m][n], 4);
        }
      });
    }
  });

  it('like the public code, takes no differences at full steps ≥ steps − warm-up + 1 (warm-up 5, k = 3: step 23 reuses v22)', () => {
    const policy = taylorPolicy({ warmup: 5, stride: 3 });
    const run = runSs(policy, ctx, linearInStep);
    expect(policy.pattern).toBe('FFFFFccFccFccFccFccFccFcF');
    // Full step 22 ≥ 25 − 5 + 1 keeps only f0, so cached step 23 is v22, not the extrapolated v23.
    expect(run.used[23].shape).toEqual(linearInStep(22).shape);
    // Full step 19 is below the bound: cached steps 20, 21 extrapolate exactly.
    expect(run.used[21].shape[3]).toBeCloseTo(linearInStep(21).shape[3], 5);
  });

  it('order 2 adds the backward second difference: v̂ = f0 + x·f1 + x²/2·f2', () => {
    const quad = (i: number) => ssVelocity(() => 0.02 * i * i);
    const policy = taylorPolicy({ order: 2 });
    const run = runSs(policy, ctx, quad);
    // Full steps 4, 7, 10: f1(7) = (v7 − v4)/3, f1(10) = (v10 − v7)/3, f2(10) = (f1(10) − f1(7))/3.
    const v = (i: number) => 0.02 * i * i;
    const f1a = (v(7) - v(4)) / 3, f1b = (v(10) - v(7)) / 3, f2 = (f1b - f1a) / 3;
    expect(run.used[12].shape[0]).toBeCloseTo(v(10) + 2 * f1b + 2 * f2, 5);
  });

  it('with ssDiffInT it is exact on a path linear in t, where step-index differences are not', () => {
    const linearInT = (_i: number, t: number) => ssVelocity((_m, n) => 1 + (2 + n) * t);
    const inT = taylorPolicy({ diffInT: true });
    const inStep = taylorPolicy({ diffInT: false });
    const a = runSs(inT, ctx, linearInT);
    const b = runSs(inStep, ctx, linearInT);
    const truth = 1 + 2 * ctx.timeGrid[20];
    expect(a.used[20].shape[0]).toBeCloseTo(truth, 5);
    expect(Math.abs(b.used[20].shape[0] - truth)).toBeGreaterThan(1e-3);
  });

  it('paper and faithful layout modes differ only on the layout keys; paper = β·v_lin + (1 − β)·v_anchor', () => {
    const wiggly = (i: number) => ssVelocity((m, n) => Math.sin(0.4 * i + n) + (m === 'shape' ? 0 : 0.1 * i * i));
    const faithful = runSs(taylorPolicy({ layoutMode: 'faithful' }), ctx, wiggly);
    const beta = 0.6;
    const paper = runSs(taylorPolicy({ layoutMode: 'paper', beta }), ctx, wiggly);
    // Steps up to the first cached one coincide; compare the first cached step (2) where trajectories agree.
    const i = 2;
    expect(paper.used[i].shape).toEqual(faithful.used[i].shape);
    for (const m of SS_LAYOUT_MODALITIES) {
      const anchor = wiggly(1)[m];
      for (let n = 0; n < anchor.length; n++) {
        expect(paper.used[i][m][n]).toBeCloseTo(beta * faithful.used[i][m][n] + (1 - beta) * anchor[n], 5);
        expect(paper.used[i][m][n]).not.toBeCloseTo(faithful.used[i][m][n], 3);
      }
    }
    // Over the whole run, shape velocities agree everywhere (the SS velocity here ignores x).
    paper.used.forEach((v, k) => expect(v.shape).toEqual(faithful.used[k].shape));
  });
});

describe('SS baselines', () => {
  const params = resolveParams('off', { ssCacheStride: 3, ssWarmup: 2, ssOrder: 1, slatThresh: 1.5 });

  it('uniform-skip reuses the last evaluated velocity on every cached step', () => {
    const policy = createSsPolicy('uniform-skip', params, ctx);
    const run = runSs(policy, ctx, linearInStep);
    expect(policy.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    expect(run.used[5].shape).toEqual(linearInStep(4).shape);
    expect(run.used[6].translation).toEqual(linearInStep(4).translation);
  });

  it('taylorseer extrapolates every modality the same way (no layout momentum)', () => {
    const paperParams = { ...params, ssLayoutMode: 'paper' as const };
    const run = runSs(createSsPolicy('taylorseer', paperParams, ctx), ctx, linearInStep);
    for (const m of SS_MODALITIES) expect(run.used[5][m][0]).toBeCloseTo(linearInStep(5)[m][0], 4);
  });

  it('easycache reuses the residual: v = v_full + (x_t − x_full), with the accumulated error threshold', () => {
    // v = −2·(position) would need x; use a velocity that decays with the step so k > 0.
    const decaying = (i: number) => ssVelocity((_m, n) => (1 + n) * Math.exp(-0.15 * i));
    const policy = createSsPolicy('easycache', params, ctx);
    const run = runSs(policy, ctx, decaying);
    expect(policy.pattern.startsWith('FFF')).toBe(true);
    expect(policy.pattern).toContain('c');
    // Check one cached step by hand: residual reuse adds the Euler displacement since the last full step.
    const p = policy.pattern;
    const i = p.indexOf('c');
    const last = p.lastIndexOf('F', i);
    let expected = run.used[last].shape[3];
    for (let j = last; j < i; j++) expected += (ctx.timeGrid[j + 1] - ctx.timeGrid[j]) * run.used[j].shape[3];
    expect(run.used[i].shape[3]).toBeCloseTo(expected, 5);
    // Threshold 0 disables caching.
    const never = createSsPolicy('easycache', { ...params, slatThresh: 0 }, ctx);
    runSs(never, ctx, decaying);
    expect(never.pattern).toBe('F'.repeat(25));
  });

  it('random-drop and uniform-merge leave the SS stage unaccelerated', () => {
    for (const method of ['random-drop', 'uniform-merge'] as const) {
      const policy = createSsPolicy(method, params, ctx);
      expect(runSs(policy, ctx, linearInStep).passes).toBe(44);
    }
  });
});
