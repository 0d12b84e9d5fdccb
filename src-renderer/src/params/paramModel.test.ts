import { describe, expect, it } from 'vitest';
import { AccelOverridesSchema, AccelParamsSchema, DEFAULT_PARAMS, PARAM_SPECS, ignoredParamWarnings, resolveParams, type ParamSpec } from '../../../src-shared/params';
import {
  applyMethod, BASELINE_METHODS, changedKeys, coerceValue, isActive, matchingPreset, MODULES, paramProblems, randomSeed,
  resetParams, specsOf, switchSpec, toOverrides,
} from './paramModel';

const spec = (key: string) => (PARAM_SPECS as readonly ParamSpec[]).find((s) => s.key === key)!;

describe('acceleration panel model', () => {
  it('shows every parameter of the table exactly once, as a switch or a control', () => {
    const shown = MODULES.flatMap((m) => [switchSpec(m.id)?.key, ...specsOf(m.id).map((s) => s.key)]).filter(Boolean);
    expect(shown.sort()).toEqual(PARAM_SPECS.map((s) => s.key).sort());
  });

  it('applies presets but keeps the seed and sampler overrides', () => {
    const tuned = { ...DEFAULT_PARAMS, seed: 7, ssSteps: 12, ssCacheStride: 6 };
    const off = applyMethod(tuned, 'off');
    expect([off.ssCache, off.slatCarving, off.meshAggregation]).toEqual([false, false, false]);
    expect([off.seed, off.ssSteps]).toEqual([7, 12]);
    const fast = applyMethod(off, 'fast-sam3d');
    expect([fast.ssCacheStride, fast.ssLayoutMode, fast.meshFixOffset]).toEqual([3, 'faithful', false]);
    expect(matchingPreset(fast)).toBe('fast-sam3d');
    expect(matchingPreset({ ...fast, slatCarvingRatio: 0.33 })).toBeNull();
    // A baseline keeps the values the user set.
    expect(applyMethod(tuned, BASELINE_METHODS[0])).toBe(tuned);
  });

  it('resets to the method\'s own values and reports what differs from the defaults', () => {
    const tuned = { ...DEFAULT_PARAMS, seed: 9, meshTauLow: 0.2, slatSteps: 10 };
    expect([...changedKeys(tuned)].sort()).toEqual(['meshTauLow', 'seed', 'slatSteps']);
    // A baseline method: the table defaults.
    expect([...changedKeys(resetParams(tuned, BASELINE_METHODS[0]))]).toEqual(['seed']);
    // A preset: its values, so the panel reads "preset values" and an `off` run has every module off.
    for (const m of ['off', 'fast-sam3d', 'max'] as const) {
      const r = resetParams(tuned, m);
      expect(matchingPreset(r)).toBe(m);
      expect([r.seed, r.slatSteps]).toEqual([9, undefined]);
    }
    expect(toOverrides('off', resetParams({ ...tuned, ssCache: true }, 'off'))).toEqual({ seed: 9 });
  });

  it('greys out a module’s parameters when its switch is off', () => {
    expect(isActive({ ...DEFAULT_PARAMS, slatCarving: false }, spec('slatCarvingRatio'))).toBe(false);
    expect(isActive({ ...DEFAULT_PARAMS, slatCarving: false }, spec('slatCarving'))).toBe(true);
    // β acts on the layout tokens in paper mode only.
    expect(isActive({ ...DEFAULT_PARAMS, ssLayoutMode: 'paper' }, spec('ssMomentumBeta'))).toBe(true);
    expect(isActive({ ...DEFAULT_PARAMS, ssLayoutMode: 'faithful' }, spec('ssMomentumBeta'))).toBe(false);
    expect(isActive({ ...DEFAULT_PARAMS, ssCache: false }, spec('seed'))).toBe(true);
  });

  it('coerces typed values into range and onto the step', () => {
    expect(coerceValue(spec('ssCacheStride'), '12')).toBe(8);
    expect(coerceValue(spec('ssCacheStride'), 2.6)).toBe(3);
    expect(coerceValue(spec('slatCarvingRatio'), 0.123)).toBe(0.12);
    expect(coerceValue(spec('meshTauLow'), 'abc')).toBeNull();
  });

  it('sends only what differs from the method’s preset, so a baseline does not inherit switches', () => {
    const fast = applyMethod({ ...DEFAULT_PARAMS, seed: 5 }, 'fast-sam3d');
    expect(toOverrides('fast-sam3d', fast)).toEqual({ seed: 5 });
    const tuned = { ...fast, ssCacheStride: 5, slatSteps: 12 };
    const o = toOverrides('fast-sam3d', tuned);
    expect(o).toEqual({ seed: 5, ssCacheStride: 5, slatSteps: 12 });
    expect(AccelOverridesSchema.parse(o)).toEqual(o);
    // The pipeline's resolution (preset + overrides) gives back exactly the values on screen.
    expect(resolveParams('fast-sam3d', o)).toEqual(AccelParamsSchema.parse(tuned));
    expect(toOverrides('taylorseer', { ...DEFAULT_PARAMS, ssOrder: 2 })).toEqual({ seed: 42, ssOrder: 2 });
    // A baseline chosen after the preset: the panel still holds fast-sam3d's layout mode and offset fix,
    // which easycache does not read; they are not sent, so its run has no "ignored" warnings.
    const after = toOverrides('easycache', fast);
    expect(after).toEqual({ seed: 5 });
    expect(ignoredParamWarnings('easycache', { ...DEFAULT_PARAMS, ...after }, after)).toEqual([]);
    expect(ignoredParamWarnings('easycache', fast, fast).length).toBeGreaterThan(0);
  });

  it('flags τ low above τ high before submitting', () => {
    expect(paramProblems(DEFAULT_PARAMS)).toEqual([]);
    expect(paramProblems({ ...DEFAULT_PARAMS, meshTauLow: 0.8, meshTauHigh: 0.6 })[0]).toMatch(/τ low \(0.8\) must not exceed τ high/);
  });

  it('draws random seeds in range', () => {
    expect(randomSeed(() => 0.999999)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(randomSeed(() => 0)).toBe(0);
  });
});
