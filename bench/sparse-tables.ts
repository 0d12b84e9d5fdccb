/**
 * Micro-benchmark of the sparse tables rebuilt for every carved subset: µs per table for N = 1k / 5k / 40k
 * surface voxels (spherical shells on a 64³ grid, like SAM 3D's occupancy). Run:
 *   nice npx tsx bench/sparse-tables.ts
 * Prints a table; nothing is asserted (wall-clock numbers vary with the machine).
 */
import { coarseTables, neighbourMap, slatTables, subdivide, windowTables } from '../src-main/pipeline/sparse/tables';
import { surfaceRows } from '../src-main/pipeline/sparse/occupancy';

function shell(res: number, target: number): Int32Array {
  // Thicken a sphere shell until it holds about `target` voxels, then keep the first `target` rows.
  const c = (res - 1) / 2;
  for (let thick = 1; ; thick++) {
    const out: number[] = [];
    const rad = res * 0.42;
    for (let i = 0; i < res; i++)
      for (let j = 0; j < res; j++)
        for (let k = 0; k < res; k++) {
          const d = Math.hypot(i - c, j - c, k - c);
          if (d <= rad && d > rad - thick) out.push(i, j, k);
        }
    if (out.length / 3 >= target || thick > res) return Int32Array.from(out.slice(0, target * 3));
  }
}

function time(fn: () => unknown, minMs = 200): number {
  fn(); // warm-up (JIT, pooled lookup grid)
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    reps++;
  }
  return ((performance.now() - t0) / reps) * 1000;
}

const R = 64;
const rows: string[][] = [['N', 'nbr (N×27)', 'coarse pool', 'window ×1', 'subdivide', 'slatTables (all)', 'prune']];
for (const n of [1000, 5000, 40000]) {
  const coords = shell(R, n);
  const got = coords.length / 3;
  rows.push([
    String(got),
    time(() => neighbourMap(coords, R)).toFixed(0),
    time(() => coarseTables(coords, R)).toFixed(0),
    time(() => windowTables(coords, 8, 4)).toFixed(0),
    time(() => subdivide(coords)).toFixed(0),
    time(() => slatTables(coords, R)).toFixed(0),
    time(() => surfaceRows(coords, R, 1)).toFixed(0),
  ]);
}
console.log('µs per call, 64³ grid (sphere shells)');
for (const r of rows) console.log(r.map((c) => c.padStart(17)).join(''));
