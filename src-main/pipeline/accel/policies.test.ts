import { describe, expect, it } from 'vitest';
import { METHODS, resolveParams, type Method } from '../../../src-shared/params';
import { aggregationFor, createPolicies, summariseSchedule } from './policies';
import { context, runSlat, runSs, seededRng, ssVelocity } from './test-helpers';

const C = 8;
const flow = (_i: number, _t: number, x: Float32Array) => x.map((v, k) => -3 * v + 0.01 * (k % 7));
const ssV = (i: number) => ssVelocity((_m, n) => Math.cos(0.3 * i + n));

/** Pattern of each stage for a method (25 steps; SS on the rescaled grid, SLaT uniform). */
function patterns(method: Method, overrides = {}) {
  const preset = (['off', 'fast-sam3d', 'balanced', 'max'] as const).find((p) => p === method) ?? 'off';
  const params = resolveParams(preset, overrides);
  const ssCtx = context(25, 3, 16, C);
  const slCtx = context(25, 1, 40, C);
  const rng = seededRng(9);
  const x0 = Float32Array.from({ length: 40 * C }, () => rng() - 0.5);
  const ss = createPolicies(method, params, ssCtx).ss;
  runSs(ss, ssCtx, ssV);
  const slat = createPolicies(method, params, slCtx).slat;
  runSlat(slat, slCtx, x0, flow);
  return { ss: summariseSchedule(ss.pattern, ssCtx.guidedSteps), slat: summariseSchedule(slat.pattern, slCtx.guidedSteps), agg: aggregationFor(method, params) };
}

describe('createPolicies covers every method', () => {
  it.each(METHODS.map((m) => [m]))('%s builds both policies and runs 25 steps per stage', (method) => {
    const r = patterns(method);
    expect(r.ss.pattern).toHaveLength(25);
    expect(r.slat.pattern).toHaveLength(25);
    expect(r.ss.networkPasses).toBeLessThanOrEqual(44);
    expect(r.slat.networkPasses).toBeLessThanOrEqual(38);
  });

  it('maps each method to its techniques', () => {
    const off = patterns('off');
    expect([off.ss.networkPasses, off.slat.networkPasses, off.agg.enabled]).toEqual([44, 38, false]);

    const fast = patterns('fast-sam3d');
    expect(fast.ss.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    expect(fast.slat.pattern).toMatch(/^FFC/);
    expect(fast.slat.pattern).toMatch(/c/);
    expect(fast.agg).toMatchObject({ enabled: true, fixOffset: false });
    expect(fast.agg.fixedFactor).toBeUndefined();

    const skip = patterns('uniform-skip');
    expect(skip.ss.pattern).toBe(skip.slat.pattern);
    expect(skip.agg.enabled).toBe(false);

    const ts = patterns('taylorseer');
    expect(ts.ss.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    expect(ts.slat.pattern).toBe('FFccFccFccFccFccFccFccFcF');

    const easy = patterns('easycache');
    expect(easy.ss.cached).toBeGreaterThan(0);
    expect(easy.slat.cached).toBeGreaterThan(0);
    expect(easy.slat.carved).toBe(0);

    const drop = patterns('random-drop');
    expect(drop.ss.networkPasses).toBe(44);
    expect(drop.slat.pattern).toBe('FF' + 'C'.repeat(23));

    const merge = patterns('uniform-merge');
    expect([merge.ss.networkPasses, merge.slat.networkPasses]).toEqual([44, 38]);
    expect(merge.agg).toMatchObject({ enabled: true, fixedFactor: 2 });
  });

  it('the preset methods follow the module switches', () => {
    const onlySs = patterns('fast-sam3d', { slatCarving: false, meshAggregation: false });
    expect(onlySs.ss.networkPasses).toBe(17);
    expect(onlySs.slat.networkPasses).toBe(38);
    expect(onlySs.agg.enabled).toBe(false);
    const onlySlat = patterns('off', { slatCarving: true });
    expect(onlySlat.ss.networkPasses).toBe(44);
    expect(onlySlat.slat.networkPasses).toBeLessThan(38);
    const noCarve = patterns('fast-sam3d', { slatCarvingRatio: 0 });
    expect(noCarve.slat.carved).toBe(0);
    const stride1 = patterns('max', { ssCacheStride: 1 });
    expect(stride1.ss.networkPasses).toBe(44);
  });

  it('rejects a context whose time grid does not match the step count', () => {
    const params = resolveParams('fast-sam3d');
    const ctx = { ...context(25, 3, 16, C), steps: 24 };
    expect(() => createPolicies('fast-sam3d', params, ctx)).toThrow(/timeGrid has 26 values, expected steps \+ 1 = 25/);
  });

  it('summariseSchedule counts CFG-aware passes: full = F + C, carved = C', () => {
    const g = [true, true, true, false, false];
    expect(summariseSchedule('FCcFc', g)).toEqual({ pattern: 'FCcFc', full: 3, cached: 2, carved: 1, networkPasses: 5 });
    expect(() => summariseSchedule('FxF', g)).toThrow(/unknown step code "x"/);
  });
});
