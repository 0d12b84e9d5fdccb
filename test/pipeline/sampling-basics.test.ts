import { describe, expect, it } from 'vitest';
import { guidedSteps, plainPasses, timeGrid } from '../../src-main/pipeline/sampling/time-grid';
import { Rng } from '../../src-main/pipeline/rng';

describe('time grids and guided steps (acceleration.md test vectors)', () => {
  it('SS grid r = 3 matches the published values', () => {
    const g = timeGrid(25, 3);
    expect(g[0]).toBe(0);
    expect(g[1]).toBeCloseTo(0.0137, 4);
    expect(g[18]).toBeCloseTo(0.4615, 4);
    expect(g[19]).toBeCloseTo(0.5135, 4);
    expect(g[24]).toBeCloseTo(0.8889, 4);
    expect(g[25]).toBe(1);
  });
  it('guided steps: SS 0-18 (r=3), SLaT 0-12 (r=1); plain passes 44 and 38', () => {
    const ss = guidedSteps(timeGrid(25, 3), 7, [0, 500]);
    const slat = guidedSteps(timeGrid(25, 1), 1, [0, 500]);
    expect(ss.map((b, i) => (b ? i : -1)).filter((i) => i >= 0)).toEqual([...Array(19).keys()]);
    expect(slat.map((b, i) => (b ? i : -1)).filter((i) => i >= 0)).toEqual([...Array(13).keys()]);
    expect(plainPasses(ss)).toBe(44);
    expect(plainPasses(slat)).toBe(38);
    expect(guidedSteps(timeGrid(25, 3), 0, [0, 500]).some(Boolean)).toBe(false);
  });
});

describe('seeded PRNG', () => {
  it('is deterministic per (seed, stream) and streams differ', () => {
    const a = new Rng(42, 0).fillNormal(new Float32Array(1000));
    const b = new Rng(42, 0).fillNormal(new Float32Array(1000));
    const c = new Rng(42, 1).fillNormal(new Float32Array(1000));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('pins the first outputs so that a platform or refactor change is caught', () => {
    const r = new Rng(42, 0);
    const u = [r.nextU32(), r.nextU32(), r.nextU32()];
    const again = new Rng(42, 0);
    expect([again.nextU32(), again.nextU32(), again.nextU32()]).toEqual(u);
    // golden values recorded from this implementation (xoshiro128** seeded by splitmix64)
    expect(u).toEqual([455733948, 602773900, 573667404]);
  });
  it('produces standard normals (moments) and uniforms in [0, 1)', () => {
    const r = new Rng(7, 3);
    const z = r.fillNormal(new Float32Array(200_000));
    let m = 0,
      v = 0;
    for (const x of z) m += x;
    m /= z.length;
    for (const x of z) v += (x - m) ** 2;
    v /= z.length;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});
