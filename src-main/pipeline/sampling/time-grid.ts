/**
 * Flow-matching time grids and guidance windows (docs/model-pack.md, "Samplers").
 * t = 0 is noise, t = 1 data; the networks receive 1000·t.
 */

/** `t_i = u/(1 + (r−1)(1−u))`, `u = i/steps`, i = 0..steps (float64, steps+1 entries). */
export function timeGrid(steps: number, rescaleT: number): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(rescaleT > 0)) throw new RangeError(`rescaleT must be > 0, got ${rescaleT}`);
  const grid = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const u = i / steps;
    grid[i] = u / (1 + (rescaleT - 1) * (1 - u));
  }
  return grid;
}

/** Step i uses CFG iff strength > 0 and `interval[0] ≤ 1000·t_i ≤ interval[1]` (one entry per step). */
export function guidedSteps(grid: Float64Array, strength: number, interval: readonly [number, number]): boolean[] {
  const steps = grid.length - 1;
  const out: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const t = 1000 * grid[i];
    out.push(strength > 0 && t >= interval[0] && t <= interval[1]);
  }
  return out;
}

/** Network passes of an unaccelerated run: one per step plus one per guided step. */
export function plainPasses(guided: boolean[]): number {
  return guided.length + guided.filter(Boolean).length;
}
