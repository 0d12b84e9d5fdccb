/** Samplers on the random-weight test pack: zero-condition trick, off ≡ plain, pass counts, determinism. */
import { describe, expect, it } from 'vitest';
import { createSlatPolicy, createSsPolicy } from '../../src-main/pipeline/accel';
import type { Pack } from '../../src-main/pipeline/pack';
import { resolveRunParams } from '../../src-main/pipeline/params-resolve';
import { Rng } from '../../src-main/pipeline/rng';
import { sampleSlat, slatNoise, slatSchedule } from '../../src-main/pipeline/sampling/slat-sampler';
import { sampleSs, ssNoise, ssSchedule } from '../../src-main/pipeline/sampling/ss-sampler';
import { slatTables } from '../../src-main/pipeline/sparse/tables';
import { withTinyPack } from './helpers/tiny-pack';

let pack: Pack;
withTinyPack((p) => (pack = p));

/** A compact blob of voxels on the pack's grid (lexicographic). */
function blobCoords(r: number): Int32Array {
  const out: number[] = [];
  const c = (r - 1) / 2;
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++)
      for (let k = 0; k < r; k++) {
        const d = Math.hypot(i - c, j - c, k - c);
        if (d < r * 0.4 && d > r * 0.25) out.push(i, j, k);
      }
  return Int32Array.from(out);
}

function randomCond(tokens: number, dim: number, seed: number): Float32Array {
  return new Rng(seed, 9).fillNormal(new Float32Array(tokens * dim));
}

describe('unconditional branch', () => {
  it('a 1-token zero condition equals a full-length zero condition (ss_flow and slat_flow)', async () => {
    const m = pack.manifest;
    const st = ssNoise(m, 1);
    const D = m.condition.dim,
      Lc = m.condition.tokens,
      L3 = m.grid.ssLatentResolution ** 3,
      C = m.grid.ssLatentChannels;
    const ssFeeds = (tokens: number) => ({
      x_shape: { data: st.shape, dims: [1, L3, C] },
      x_rot6d: { data: st.rotation6d, dims: [1, 1, 6] },
      x_translation: { data: st.translation, dims: [1, 1, 3] },
      x_scale: { data: st.scale, dims: [1, 1, 3] },
      x_translation_scale: { data: st.translationScale, dims: [1, 1, 1] },
      t: { data: Float32Array.of(300), dims: [1] },
      d: { data: Float32Array.of(0), dims: [1] },
      cond: { data: new Float32Array(tokens * D), dims: [1, tokens, D] },
    });
    const a = await pack.run('ss_flow', ssFeeds(1));
    const b = await pack.run('ss_flow', ssFeeds(Lc));
    for (const k of Object.keys(a)) {
      const x = a[k].data,
        y = b[k].data;
      let maxErr = 0,
        scale = 0;
      for (let e = 0; e < x.length; e++) {
        maxErr = Math.max(maxErr, Math.abs(x[e] - y[e]));
        scale = Math.max(scale, Math.abs(y[e]));
      }
      expect(maxErr).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    }
    const coords = blobCoords(m.grid.resolution);
    const n = coords.length / 3;
    const t = slatTables(coords, m.grid.resolution);
    const x = slatNoise(n, m.slat.channels, 3);
    const slatFeeds = (tokens: number) => ({
      x: { data: x, dims: [n, m.slat.channels] },
      t: { data: Float32Array.of(200), dims: [1] },
      cond: { data: new Float32Array(tokens * D), dims: [1, tokens, D] },
      coords: { data: coords, dims: [n, 3] },
      nbr_fine: { data: t.nbrFine, dims: [n, 27] },
      nbr_coarse: { data: t.nbrCoarse, dims: [t.numCoarse, 27] },
      children: { data: t.children, dims: [t.numCoarse, 8] },
      inv_count: { data: t.invCount, dims: [t.numCoarse, 1] },
      fine_to_coarse: { data: t.fineToCoarse, dims: [n] },
      coarse_xyz: { data: t.coarseXyz, dims: [t.numCoarse, 3] },
    });
    const va = (await pack.run('slat_flow', slatFeeds(1))).v.data;
    const vb = (await pack.run('slat_flow', slatFeeds(m.condition.tokensSlat))).v.data;
    let maxErr = 0;
    for (let e = 0; e < va.length; e++) maxErr = Math.max(maxErr, Math.abs(va[e] - vb[e]));
    expect(maxErr).toBeLessThan(1e-4);
  });
});

describe('SS sampler', () => {
  it('off ≡ plain sampler bit for bit, with 44 passes and an all-F pattern', async () => {
    const m = pack.manifest;
    const sched = ssSchedule(m, {});
    const cond = { data: randomCond(m.condition.tokens, m.condition.dim, 5), tokens: m.condition.tokens };
    const noise = [ssNoise(m, 42)];
    const plain = await sampleSs({ pack, schedule: sched, cond, noise });
    const p = resolveRunParams('off');
    const policy = createSsPolicy('off', p, {
      steps: sched.steps,
      timeGrid: sched.grid,
      guidedSteps: sched.guided,
      channels: 8,
      numTokens: 64,
      rng: () => 0.5,
    });
    const off = await sampleSs({ pack, schedule: sched, cond, noise, policies: [policy] });
    expect(plain.networkPasses).toBe(44);
    expect(off.networkPasses).toBe(44);
    expect(off.patterns[0]).toBe('F'.repeat(25));
    for (const k of ['shape', 'rotation6d', 'translation', 'scale', 'translationScale'] as const) {
      expect(Buffer.from(off.states[0][k].buffer).equals(Buffer.from(plain.states[0][k].buffer))).toBe(true);
    }
  });

  it('fast-sam3d makes 17 passes with the FFccFcc… schedule; a batch of two equals two single runs', async () => {
    const m = pack.manifest;
    const sched = ssSchedule(m, {});
    const p = resolveRunParams('fast-sam3d');
    const ctx = {
      steps: sched.steps,
      timeGrid: sched.grid,
      guidedSteps: sched.guided,
      channels: 8,
      numTokens: 64,
      rng: () => 0.5,
    };
    const condA = randomCond(m.condition.tokens, m.condition.dim, 5),
      condB = randomCond(m.condition.tokens, m.condition.dim, 6);
    const single = await sampleSs({
      pack,
      schedule: sched,
      cond: { data: condB, tokens: m.condition.tokens },
      noise: [ssNoise(m, 7)],
      policies: [createSsPolicy('fast-sam3d', p, ctx)],
    });
    expect(single.networkPasses).toBe(17);
    expect(single.patterns[0]).toBe('FFccFccFccFccFccFccFccFcF');
    const both = new Float32Array(condA.length * 2);
    both.set(condA);
    both.set(condB, condA.length);
    const batch = await sampleSs({
      pack,
      schedule: sched,
      cond: { data: both, tokens: m.condition.tokens },
      noise: [ssNoise(m, 8), ssNoise(m, 7)],
      policies: [createSsPolicy('fast-sam3d', p, ctx), createSsPolicy('fast-sam3d', p, ctx)],
    });
    expect(batch.networkPasses).toBe(17);
    expect(batch.objectPasses).toEqual([17, 17]);
    const a = batch.states[1].shape,
      b = single.states[0].shape;
    let maxErr = 0;
    for (let e = 0; e < a.length; e++) maxErr = Math.max(maxErr, Math.abs(a[e] - b[e]));
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('shortcut mode: K steps with d = 1/K, CFG off, one pass per step', async () => {
    const m = pack.manifest;
    const sc = ssSchedule({ ...m, ss: { ...m.ss, shortcut: { steps: 4 } } }, { ssCfgStrength: 7 });
    expect(sc).toMatchObject({ steps: 4, d: 0.25, strength: 0, guided: [false, false, false, false] });
    const r = await sampleSs({
      pack,
      schedule: sc,
      cond: { data: randomCond(m.condition.tokens, m.condition.dim, 5), tokens: m.condition.tokens },
      noise: [ssNoise(m, 1)],
    });
    expect(r.networkPasses).toBe(4);
    expect(r.patterns[0]).toBe('FFFF');
  });

  it('honours an AbortSignal between network calls', async () => {
    const m = pack.manifest;
    const ac = new AbortController();
    let calls = 0;
    const run = sampleSs({
      pack,
      schedule: ssSchedule(m, {}),
      cond: { data: randomCond(m.condition.tokens, m.condition.dim, 5), tokens: m.condition.tokens },
      noise: [ssNoise(m, 1)],
      signal: ac.signal,
      onStep: () => {
        if (++calls === 3) ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(3);
  });
});

describe('SLaT sampler', () => {
  it('off ≡ plain bit for bit with 38 passes; fast-sam3d caches and carves subsets', async () => {
    const m = pack.manifest;
    const coords = blobCoords(m.grid.resolution);
    const n = coords.length / 3;
    const sched = slatSchedule(m, {});
    const cond = { data: randomCond(m.condition.tokensSlat, m.condition.dim, 11), tokens: m.condition.tokensSlat };
    const noise = slatNoise(n, m.slat.channels, 42);
    const ctx = {
      steps: sched.steps,
      timeGrid: sched.grid,
      guidedSteps: sched.guided,
      channels: m.slat.channels,
      numTokens: n,
      rng: () => 0.5,
    };
    const plain = await sampleSlat({ pack, schedule: sched, cond, coords, noise });
    const off = await sampleSlat({
      pack,
      schedule: sched,
      cond,
      coords,
      noise,
      policy: createSlatPolicy('off', resolveRunParams('off'), ctx),
    });
    expect(plain.networkPasses).toBe(38);
    expect(off.networkPasses).toBe(38);
    expect(Buffer.from(off.x.buffer).equals(Buffer.from(plain.x.buffer))).toBe(true);
    const live = { evaluated: 0, carved: 0 };
    const fast = await sampleSlat({
      pack,
      schedule: sched,
      cond,
      coords,
      noise,
      policy: createSlatPolicy('fast-sam3d', resolveRunParams('fast-sam3d'), ctx),
      onStep: (e) => { live.evaluated += e.evaluated; live.carved += e.carved; },
    });
    // The per-step counts the window adds up end on the report's totals (guided steps count twice).
    expect(live).toEqual({ evaluated: fast.tokensEvaluated, carved: fast.tokensCarved });
    expect(fast.networkPasses).toBeLessThan(38);
    expect(fast.pattern.startsWith('FF')).toBe(true);
    expect(fast.pattern).toMatch(/C/);
    expect(fast.tokensCarved).toBeGreaterThan(0);
    expect(fast.tokensEvaluated).toBeLessThan(38 * n);
  });
});
