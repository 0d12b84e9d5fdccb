import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../../src-shared/params';
import { minMaxNormalise } from './carving';
import { createSlatPolicy } from './policies';
import { AdaptiveSlatPolicy } from './slat-policies';
import { context, runSlat, seededRng } from './test-helpers';

const C = 8;

function randomLatent(n: number, seed: number): Float32Array {
  const rng = seededRng(seed);
  return Float32Array.from({ length: n * C }, () => rng() * 2 - 1);
}

/** A contracting flow v = −a·x + b(row): smooth in x and t, so the change-based cache has work to do. */
function flow(a: number) {
  return (_i: number, _t: number, xRows: Float32Array, rows: Int32Array) => {
    const v = new Float32Array(xRows.length);
    rows.forEach((r, k) => {
      for (let c = 0; c < C; c++) v[k * C + c] = -a * xRows[k * C + c] + 0.1 * ((r % 5) - 2);
    });
    return v;
  };
}

const base = resolveParams('fast-sam3d');

describe('SLaT adaptive step caching', () => {
  it('slatThresh = 0 never caches; with carving ratio 0 every step is a plain full step', () => {
    const ctx = context(25, 1, 40, C);
    const policy = createSlatPolicy('fast-sam3d', { ...base, slatThresh: 0, slatCarvingRatio: 0 }, ctx);
    const trace = runSlat(policy, ctx, randomLatent(40, 1), flow(3));
    expect(trace.pattern).toBe('F'.repeat(25));
    expect(policy.tokensEvaluated).toBe(25 * 40);
    expect(policy.tokensCarved).toBe(0);
  });

  it('evaluates the first three steps whatever the warm-up, then reuses v = x_t + (v_full − x_full)', () => {
    const ctx = context(25, 1, 40, C);
    const patterns = [0, 1, 2, 3].map((w) => {
      const policy = createSlatPolicy('fast-sam3d', { ...base, slatWarmup: w, slatCarvingRatio: 0 }, context(25, 1, 40, C));
      return runSlat(policy, ctx, randomLatent(40, 2), flow(3)).pattern;
    });
    expect(new Set(patterns).size).toBe(1);
    const policy = createSlatPolicy('fast-sam3d', { ...base, slatCarvingRatio: 0 }, ctx);
    const trace = runSlat(policy, ctx, randomLatent(40, 2), flow(3));
    expect(trace.pattern.slice(0, 3)).toBe('FFF');
    expect(trace.pattern).toMatch(/c/);
    // Every cached step: v = x_t + (v_last_full − x_last_full).
    let lastFull = -1;
    trace.steps.forEach((s, i) => {
      if (s.kind === 'full') { lastFull = i; return; }
      const f = trace.steps[lastFull];
      for (let n = 0; n < s.v.length; n += 7) expect(s.v[n]).toBeCloseTo(s.x[n] + f.v[n] - f.x[n], 5);
    });
  });

  it('a larger threshold caches more steps (monotone), and cached runs end once the accumulated error reaches it', () => {
    const ctx = context(25, 1, 40, C);
    const fulls = [0.5, 1.5, 3].map((thresh) => {
      const policy = createSlatPolicy('fast-sam3d', { ...base, slatThresh: thresh, slatCarvingRatio: 0 }, ctx);
      return runSlat(policy, ctx, randomLatent(40, 3), flow(3)).pattern.split('').filter((c) => c === 'F').length;
    });
    expect(fulls[0]).toBeGreaterThan(fulls[1]);
    expect(fulls[1]).toBeGreaterThan(fulls[2]);
  });
});

describe('SLaT token carving', () => {
  it('carves exactly the ratio·N lowest-saliency tokens on full steps from step 2', () => {
    const N = 50;
    const ctx = { ...context(25, 1, N, C), spatialScore: Float32Array.from({ length: N }, (_, n) => ((n * 37) % 50) / 50) };
    const params = { ...base, slatThresh: 0, slatCarvingRatio: 0.1, slatSpatialWeight: 0.3 };
    const policy = createSlatPolicy('fast-sam3d', params, ctx);
    expect(policy).toBeInstanceOf(AdaptiveSlatPolicy);
    const trace = runSlat(policy, ctx, randomLatent(N, 4), flow(2));
    expect(trace.pattern.slice(0, 3)).toBe('FFC');
    // Recompute the saliency of step 3's selection independently: v_prev = v used at step 2, A against the
    // v_prev seen at the selection of step 2 (= v used at step 1).
    const vPrev = trace.steps[2].v, vSel = trace.steps[1].v;
    const norm = (v: Float32Array, r: number) => Math.hypot(...Array.from(v.subarray(r * C, (r + 1) * C)));
    const M = minMaxNormalise(Float64Array.from({ length: N }, (_, r) => norm(vPrev, r)));
    const A = minMaxNormalise(Float64Array.from({ length: N }, (_, r) => {
      const d = new Float32Array(C);
      for (let c = 0; c < C; c++) d[c] = vPrev[r * C + c] - vSel[r * C + c];
      return Math.hypot(...d);
    }));
    const S = minMaxNormalise(Float64Array.from(ctx.spatialScore));
    const J = Array.from({ length: N }, (_, r) => 0.3 * S[r] + 0.7 * (0.7 * A[r] + 0.3 * M[r]));
    const lowest = Array.from({ length: N }, (_, r) => r).sort((a, b) => J[a] - J[b] || a - b).slice(0, 5);
    const keep = trace.steps[3].keep as Int32Array;
    expect(keep).not.toBeNull();
    expect(keep.length).toBe(N - 5);
    const carved = Array.from({ length: N }, (_, r) => r).filter((r) => !keep.includes(r));
    expect(carved.sort((a, b) => a - b)).toEqual(lowest.sort((a, b) => a - b));
    expect(Array.from(keep)).toEqual([...keep].sort((a, b) => a - b));
    // Carved rows keep their previous velocity; evaluated rows get the network's.
    for (const r of carved) expect(trace.steps[3].v.subarray(r * C, (r + 1) * C)).toEqual(vPrev.subarray(r * C, (r + 1) * C));
  });

  it('the stale rule recomputes a token carved at slatStaleLimit consecutive selections, without replacing it', () => {
    const N = 20;
    // Velocity independent of x and t and growing with the row: rows 0 and 1 always have the lowest J.
    const constant = (_i: number, _t: number, _x: Float32Array, rows: Int32Array) =>
      Float32Array.from({ length: rows.length * C }, (_, k) => 0.1 * (1 + rows[Math.floor(k / C)]));
    const ctx = context(25, 1, N, C);
    const policy = createSlatPolicy('fast-sam3d', { ...base, slatThresh: 0, slatCarvingRatio: 0.1, slatStaleLimit: 4 }, ctx);
    const trace = runSlat(policy, ctx, randomLatent(N, 5), constant);
    // Steps 2-5 carve rows 0 and 1; at step 6 both are stale → recomputed, nothing carved; then again.
    expect(trace.pattern).toBe('FFCCCCFCCCCFCCCCFCCCCFCCC');
    for (const i of [2, 3, 4, 5, 7]) expect(Array.from(trace.steps[i].keep ?? [])).toEqual(Array.from({ length: N - 2 }, (_, n) => n + 2));
    expect(trace.steps[6].keep).toBeNull();
    expect(policy.tokensCarved).toBe(2 * 'FFCCCCFCCCCFCCCCFCCCCFCCC'.split('').filter((c) => c === 'C').length);
    expect(policy.tokensEvaluated + policy.tokensCarved).toBe(25 * N);
  });

  it('with step caching and carving together, the pattern mixes F, C and c and passes fewer rows', () => {
    const N = 60;
    const ctx = context(25, 1, N, C);
    const policy = createSlatPolicy('fast-sam3d', base, ctx);
    const trace = runSlat(policy, ctx, randomLatent(N, 6), flow(3));
    expect(trace.pattern).toMatch(/^FFC/);
    expect(trace.pattern).toMatch(/c/);
    expect(trace.evaluatedRows).toBe(policy.tokensEvaluated);
    expect(trace.evaluatedRows).toBeLessThan(25 * N);
  });

  it('rejects a spatial score of the wrong length with a clear error', () => {
    const ctx = { ...context(25, 1, 10, C), spatialScore: new Float32Array(9) };
    expect(() => createSlatPolicy('fast-sam3d', base, ctx)).toThrow(/9 values for 10 SLaT tokens/);
  });
});

describe('SLaT baselines', () => {
  const params = resolveParams('off', { ssCacheStride: 3, ssWarmup: 2, ssOrder: 1, slatThresh: 1.5, slatCarvingRatio: 0.2 });

  it('random-drop carves the same fraction at random, reproducibly per seed, with no step caching', () => {
    const N = 50;
    const run = (seed: number) => {
      const ctx = context(25, 1, N, C, seed);
      return runSlat(createSlatPolicy('random-drop', params, ctx), ctx, randomLatent(N, 7), flow(2));
    };
    const a = run(11), b = run(11), c = run(12);
    expect(a.pattern).toBe('FF' + 'C'.repeat(23));
    for (let i = 2; i < 25; i++) expect(a.steps[i].keep?.length).toBe(N - 10);
    expect(a.steps.map((s) => Array.from(s.keep ?? []))).toEqual(b.steps.map((s) => Array.from(s.keep ?? [])));
    expect(a.steps.map((s) => Array.from(s.keep ?? []))).not.toEqual(c.steps.map((s) => Array.from(s.keep ?? [])));
  });

  it('easycache caches steps but never carves', () => {
    const ctx = context(25, 1, 40, C);
    const trace = runSlat(createSlatPolicy('easycache', params, ctx), ctx, randomLatent(40, 8), flow(3));
    expect(trace.pattern).toMatch(/c/);
    expect(trace.pattern).not.toMatch(/C/);
  });

  it('uniform-skip reuses the last velocity on the stride schedule; taylorseer extrapolates every token', () => {
    const ctx = context(25, 1, 10, C);
    const skip = runSlat(createSlatPolicy('uniform-skip', params, ctx), ctx, randomLatent(10, 9), flow(1));
    expect(skip.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    expect(skip.steps[2].v).toEqual(skip.steps[1].v);
    expect(skip.steps[3].v).toEqual(skip.steps[1].v);
    const ctx2 = context(25, 1, 10, C);
    const linear = (i: number, _t: number, _x: Float32Array, rows: Int32Array) =>
      Float32Array.from({ length: rows.length * C }, (_, k) => 0.5 - 0.03 * i + 0.01 * k);
    const ts = runSlat(createSlatPolicy('taylorseer', params, ctx2), ctx2, randomLatent(10, 9), linear);
    expect(ts.pattern).toBe('FFccFccFccFccFccFccFccFcF');
    for (let k = 0; k < 10 * C; k += 5) expect(ts.steps[5].v[k]).toBeCloseTo(0.5 - 0.03 * 5 + 0.01 * k, 5);
  });

  it('uniform-merge and off run every SLaT token on every step', () => {
    for (const method of ['uniform-merge', 'off'] as const) {
      const ctx = context(25, 1, 10, C);
      const p = method === 'off' ? resolveParams('off') : params;
      expect(runSlat(createSlatPolicy(method, p, ctx), ctx, randomLatent(10, 1), flow(1)).pattern).toBe('F'.repeat(25));
    }
  });
});
