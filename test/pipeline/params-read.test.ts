/**
 * Which parameters each method reads (src-shared/params.ts unreadReason / paramsReadBy), checked against
 * the policies themselves; the warnings for given parameters a method ignores, the report's params, the
 * preset match, the warm-up warnings and the CLI's defaults in --help.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  METHODS,
  PARAM_SPECS,
  PRESETS,
  hasPresetValues,
  ignoredParamWarnings,
  paramsReadBy,
  resolveParams,
  unreadReason,
  type AccelParams,
  type Method,
  type ParamSpec,
} from '../../src-shared/params';
import { aggregationFor, createSlatPolicy, createSsPolicy } from '../../src-main/pipeline/accel';
import { context, runSlat, runSs, seededRng, ssVelocity } from '../../src-main/pipeline/accel/test-helpers';
import { reportedParams, resolveRun, resolveRunParams, scheduleWarnings } from '../../src-main/pipeline/params-resolve';
import { defaultText } from '../../src-main/cli/param-flags';
import type { Manifest } from '../../src-main/pipeline/pack/manifest-schema';

const C = 8;
const M = 40;
const ACCEL = (PARAM_SPECS as readonly ParamSpec[]).filter((s) => s.module !== 'sampler');

/** Everything a method computes from `p` on a synthetic generation: both stages' traces and the aggregation. */
function trace(method: Method, p: AccelParams) {
  const ssCtx = context(25, 3, 16, C, 5);
  const ss = createSsPolicy(method, p, ssCtx);
  // Non-linear in the step and different per modality, so that order, β, layout mode and Δt all show.
  const ssUsed = runSs(ss, ssCtx, (i, t) => ssVelocity((m, n) => Math.cos(0.7 * i + n + m.length) + t * t * (m === 'shape' ? 1 : -2))).used;
  const rng = seededRng(11);
  const spatialScore = Float32Array.from({ length: M }, () => rng());
  const slCtx = { ...context(25, 1, M, C, 7), spatialScore };
  const x0 = Float32Array.from({ length: M * C }, () => rng() - 0.5);
  const slat = runSlat(createSlatPolicy(method, p, slCtx), slCtx, x0, (i, _t, x, rows) =>
    x.map((v, k) => -3 * v + 0.05 * Math.sin(i * 1.3 + rows[Math.floor(k / C)] * 0.7 + (k % C))),
  );
  const d = aggregationFor(method, p);
  const agg = d.enabled && !d.fixedFactor ? d : { enabled: d.enabled, fixedFactor: d.fixedFactor, fixOffset: d.fixOffset };
  // A digest of every velocity used and every row kept (exact bytes): cheap to compare thousands of times.
  const h = createHash('sha1');
  for (const v of ssUsed) for (const a of Object.values(v)) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  for (const s of slat.steps) {
    h.update(new Uint8Array(s.v.buffer, s.v.byteOffset, s.v.byteLength));
    if (s.keep) h.update(new Uint8Array(s.keep.buffer, s.keep.byteOffset, s.keep.byteLength));
  }
  return { ss: ss.pattern, slat: slat.pattern, agg: JSON.stringify(agg), digest: h.digest('hex'), ssUsed };
}

const digestOf = (t: ReturnType<typeof trace>) => `${t.ss} ${t.slat} ${t.agg} ${t.digest}`;

/** Another valid value of a parameter. */
function otherValue(spec: ParamSpec, v: unknown): unknown {
  if (spec.kind === 'boolean') return !v;
  if (spec.kind === 'enum') return spec.options!.find((o) => o !== v);
  return v === spec.max ? spec.min : spec.max;
}

const VARIANTS: Partial<AccelParams>[] = [
  {}, { ssCache: false }, { ssCacheStride: 1 }, { ssLayoutMode: 'paper' }, { ssLayoutMode: 'faithful' },
  { slatCarving: false }, { slatThresh: 0 }, { slatCarvingRatio: 0 }, { meshAggregation: false }, { ssOrder: 2, ssDiffInT: true },
];

describe('the parameters a method reads', () => {
  it.each(METHODS.map((m) => [m]))('%s: changing a parameter it does not read changes nothing it computes', (method) => {
    let checked = 0;
    for (const base of [...Object.keys(PRESETS), 'defaults'] as const) {
      for (const variant of VARIANTS) {
        const p = { ...(base === 'defaults' ? DEFAULT_PARAMS : resolveParams(base as keyof typeof PRESETS)), ...variant };
        const ref = digestOf(trace(method, p));
        for (const spec of ACCEL) {
          const key = spec.key as keyof AccelParams;
          if (unreadReason(method, p, key) === null) continue;
          const changed = { ...p, [key]: otherValue(spec, p[key]) };
          expect(digestOf(trace(method, changed)), `${method} ${base} ${JSON.stringify(variant)}: ${key}`).toBe(ref);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('the cases the QA pass found are unread, and the parameters that act are read', () => {
    const fast = resolveParams('fast-sam3d');
    expect(paramsReadBy('fast-sam3d', fast)).not.toContain('ssMomentumBeta');
    expect(paramsReadBy('fast-sam3d', { ...fast, ssLayoutMode: 'paper' })).toContain('ssMomentumBeta');
    // β acts in paper mode: the layout velocities differ (the QA pass: 0 and 0.99 differ only there).
    const paper = { ...fast, ssLayoutMode: 'paper' as const };
    expect(trace('fast-sam3d', { ...paper, ssMomentumBeta: 0 }).ssUsed).not.toEqual(trace('fast-sam3d', { ...paper, ssMomentumBeta: 0.99 }).ssUsed);
    expect(paramsReadBy('off', resolveParams('off'))).not.toContain('ssCacheStride');
    expect(paramsReadBy('uniform-merge', DEFAULT_PARAMS).filter((k) => ACCEL.some((s) => s.key === k))).toEqual(['meshFixOffset']);
    expect(paramsReadBy('uniform-skip', DEFAULT_PARAMS).filter((k) => ACCEL.some((s) => s.key === k))).toEqual(['ssCacheStride', 'ssWarmup']);
    expect(paramsReadBy('easycache', DEFAULT_PARAMS).filter((k) => ACCEL.some((s) => s.key === k))).toEqual(['slatThresh', 'slatWarmup']);
    // Sampler settings are read by every method.
    for (const m of METHODS) expect(paramsReadBy(m, DEFAULT_PARAMS)).toEqual(expect.arrayContaining(['seed', 'ssSamples', 'fitToMask', 'colourFromPhoto', 'ssSteps']));
  });
});

describe('given parameters a method ignores', () => {
  it('warn, naming the value in both spellings and what to do', () => {
    expect(resolveRun('off', { ssCacheStride: 2 }).warnings).toEqual([
      'k (ssCacheStride: 2, --ss-cache-stride 2) was ignored: SS step caching (ssCache) is off in the off preset; turn it on with --ss-cache (ssCache: true), or use --preset fast-sam3d.',
    ]);
    expect(resolveRun('fast-sam3d', { ssMomentumBeta: 0 }).warnings).toEqual([
      expect.stringMatching(/^β \(ssMomentumBeta: 0, --ss-momentum-beta 0\) was ignored: β acts only in layout mode paper, and the layout mode is faithful \(the fast-sam3d preset's\); add --ss-layout-mode paper/),
    ]);
    expect(resolveRun('fast-sam3d', { ssMomentumBeta: 0, ssLayoutMode: 'paper' }).warnings).toEqual([]);
    const merge = resolveRun('uniform-merge', { meshAggregation: false }).warnings;
    expect(merge).toEqual([expect.stringMatching(/^aggregation \(meshAggregation: false, --no-mesh-aggregation\) was ignored: the uniform-merge baseline aggregates the voxels by a fixed S = 2.*reads only offset fix \(meshFixOffset, --mesh-fix-offset\); .*--preset fast-sam3d/)]);
    // Ignored for one reason: one warning naming both.
    expect(resolveRun('uniform-skip', { ssCache: false, slatCarving: false }).warnings).toEqual([
      expect.stringMatching(/^SS cache \(ssCache: false, --no-ss-cache\) and SLaT carving \(slatCarving: false, --no-slat-carving\) were ignored: the uniform-skip baseline/),
    ]);
    expect(resolveRun('fast-sam3d', { slatCarvingRatio: 0, slatStaleLimit: 2 }).warnings).toEqual([
      expect.stringMatching(/^stale limit \(slatStaleLimit: 2, --slat-stale-limit 2\) was ignored: carving ratio \(slatCarvingRatio\) = 0 turns token carving off/),
    ]);
    // Parameters the method reads, and parameters not given, never warn.
    expect(resolveRun('fast-sam3d', { ssCacheStride: 2, seed: 3, ssSamples: 2 }).warnings).toEqual([]);
    expect(resolveRun('easycache').warnings).toEqual([]);
    expect(ignoredParamWarnings('easycache', DEFAULT_PARAMS, { slatThresh: 2 })).toEqual([]);
  });

  it("leave what runs unchanged, and the report's params hold only what the method read", () => {
    expect(resolveRunParams('uniform-skip', { ssCache: false })).toEqual({ ...DEFAULT_PARAMS, ssCache: false });
    const m = { ss: { steps: 25, cfg: { strength: 7 } }, slat: { steps: 25, cfg: { strength: 1 } } } as unknown as Manifest;
    const easy = reportedParams('easycache', resolveRunParams('easycache'), m);
    expect(Object.keys(easy).sort()).toEqual(
      ['colourFromPhoto', 'fitToMask', 'seed', 'slatCfgStrength', 'slatSteps', 'slatThresh', 'slatWarmup', 'ssCfgStrength', 'ssSamples', 'ssSteps'].sort(),
    );
    const merge = reportedParams('uniform-merge', resolveRunParams('uniform-merge', { meshAggregation: false }), m);
    expect(merge.meshAggregation).toBeUndefined();
    expect(merge.meshFixOffset).toBe(true);
    const fast = reportedParams('fast-sam3d', resolveRunParams('fast-sam3d', { ssMomentumBeta: 0 }), m);
    expect(fast).not.toHaveProperty('ssMomentumBeta');
    expect(fast).toMatchObject({ ssLayoutMode: 'faithful', ssCacheStride: 3, slatCarvingRatio: 0.1, ssSteps: 25 });
    const off = reportedParams('off', resolveRunParams('off', { ssCacheStride: 2 }), m);
    expect(off).toMatchObject({ ssCache: false, slatCarving: false, meshAggregation: false });
    expect(off).not.toHaveProperty('ssCacheStride');
  });

  it("a preset's values are matched on what it reads: a stored report (read keys only) or an ignored value is not 'tuned'", () => {
    const m = { ss: { steps: 25, cfg: { strength: 7 } }, slat: { steps: 25, cfg: { strength: 1 } } } as unknown as Manifest;
    for (const preset of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
      expect(hasPresetValues(preset, reportedParams(preset, resolveParams(preset), m))).toBe(true);
    }
    expect(hasPresetValues('fast-sam3d', { ...resolveParams('fast-sam3d'), ssMomentumBeta: 0 })).toBe(true);
    expect(hasPresetValues('fast-sam3d', { ...resolveParams('fast-sam3d'), ssLayoutMode: 'paper' })).toBe(false);
    expect(hasPresetValues('fast-sam3d', { ...resolveParams('fast-sam3d'), ssCacheStride: 4 })).toBe(false);
    expect(hasPresetValues('off', { ...resolveParams('off'), ssCacheStride: 4 })).toBe(true);
    expect(hasPresetValues('off', { ...resolveParams('off'), ssCache: true })).toBe(false);
  });
});

describe('warm-ups that cover every step', () => {
  it('warn exactly when the stride schedule caches no step (SS of the presets, both stages of uniform-skip and taylorseer)', () => {
    for (let steps = 1; steps <= 14; steps++) {
      for (let warmup = 1; warmup <= 12; warmup++) {
        for (const stride of [1, 2, 3, 5]) {
          const p = { ...resolveParams('fast-sam3d'), ssWarmup: warmup, ssCacheStride: stride };
          const ctx = context(steps, 3, 16, C);
          const policy = createSsPolicy('fast-sam3d', p, ctx);
          runSs(policy, ctx, (i) => ssVelocity((_m, n) => Math.cos(i + n)));
          const warned = scheduleWarnings('fast-sam3d', p, steps, 25).some((w) => w.includes('SS step caching never acts'));
          expect(warned, `steps ${steps} warm-up ${warmup} k ${stride}: ${policy.pattern}`).toBe(stride >= 2 && !policy.pattern.includes('c'));
          const skip = scheduleWarnings('uniform-skip', p, 25, steps).some((w) => w.includes('SLaT step caching never acts'));
          expect(skip).toBe(stride >= 2 && !policy.pattern.includes('c'));
        }
      }
    }
  });

  it('the QA case: 5 SS steps and warm-up 12 name the flag and the largest warm-up that caches', () => {
    expect(scheduleWarnings('fast-sam3d', resolveRunParams('fast-sam3d', { ssSteps: 5, ssWarmup: 12 }), 5, 25)).toEqual([
      'SS warm-up (ssWarmup, --ss-warmup) = 12 covers all 5 SS steps (the last step is always full), so SS step caching never acts and every step runs in full; lower it to 3 or less.',
    ]);
    for (const m of METHODS) expect(scheduleWarnings(m, resolveRunParams(m), 25, 25)).toEqual([]);
    // Not caching at all is no surprise: SS caching off, or k = 1.
    expect(scheduleWarnings('fast-sam3d', resolveRunParams('fast-sam3d', { ssCache: false, ssWarmup: 12 }), 5, 25)).toEqual([]);
  });

  it('the residual caches (SLaT of the presets, both stages of easycache) need 3 full steps, or the warm-up', () => {
    expect(scheduleWarnings('fast-sam3d', resolveRunParams('fast-sam3d', { slatWarmup: 12 }), 25, 10)).toEqual([
      expect.stringMatching(/^SLaT warm-up \(slatWarmup, --slat-warmup\) = 12 covers all 10 SLaT steps, so SLaT step caching never acts.*lower it to 9 or less\.$/),
    ]);
    expect(scheduleWarnings('easycache', resolveRunParams('easycache'), 3, 25)).toEqual([
      expect.stringMatching(/^the residual cache needs 3 full SS steps before it can reuse one, and there are 3, .*at least 4 steps\.$/),
    ]);
    expect(scheduleWarnings('fast-sam3d', resolveRunParams('fast-sam3d', { slatThresh: 0, slatWarmup: 12 }), 25, 10)).toEqual([]);
    // A residual cache that the warning says never acts does not.
    const p = resolveRunParams('fast-sam3d', { slatWarmup: 12 });
    const ctx = context(12, 1, M, C);
    const rng = seededRng(3);
    const slat = runSlat(createSlatPolicy('fast-sam3d', p, ctx), ctx, Float32Array.from({ length: M * C }, () => rng()), (_i, _t, x) => x.map((v) => -v));
    expect(slat.pattern).not.toMatch(/c/);
  });
});

describe('--help defaults', () => {
  const spec = (key: string) => (PARAM_SPECS as readonly ParamSpec[]).find((s) => s.key === key)!;
  it("say the default preset's value, the presets that set another, and the table's for the rest", () => {
    expect(defaultText(spec('ssLayoutMode'))).toBe('default faithful, as the presets fast-sam3d, balanced, max set it; paper with off and the baselines');
    expect(defaultText(spec('meshFixOffset'))).toBe('default false, as the presets fast-sam3d, balanced, max set it; true with off and the baselines');
    expect(defaultText(spec('ssCacheStride'))).toBe('default 3; 2 with --preset balanced; 4 with --preset max');
    expect(defaultText(spec('ssCache'))).toBe('default true; false with --preset off');
    expect(defaultText(spec('ssMomentumBeta'))).toMatch(/^default 0\.5; no effect with the default preset fast-sam3d: β acts only in layout mode paper.*--ss-layout-mode paper/);
    expect(defaultText(spec('ssSteps'))).toBe('pack default');
    // No preset sets a sampler setting: no "unless the preset sets it" anywhere.
    for (const key of ['seed', 'ssSamples', 'fitToMask', 'colourFromPhoto']) expect(defaultText(spec(key))).toBe(`default ${String(spec(key).default)}`);
    for (const s of PARAM_SPECS as readonly ParamSpec[]) expect(defaultText(s)).not.toMatch(/unless/);
  });
});
