/**
 * Dense int32 lookup grid (coordinate → row) reused across calls: tables are rebuilt for every carved
 * subset, so allocating and clearing an R³ array each time would dominate. The grid is cleared by
 * resetting only the cells that were written.
 */

const pool = new Map<number, Int32Array>();

/** Max cells kept in the dense pool (2^24 = 64 MiB of int32); larger grids fall back to a Map. */
const DENSE_LIMIT = 1 << 24;

export interface RowLookup {
  /** The dense grid (index (i·R + j)·R + k → row or -1) when the grid fits in memory, for hot loops. */
  dense: Int32Array | null;
  /** Row of voxel (i, j, k) or -1; out-of-range coordinates return -1. */
  get(i: number, j: number, k: number): number;
  release(): void;
}

/** Index the rows of `coords` (N×3) on a grid of `resolution`; call release() when done. */
export function buildLookup(coords: Int32Array, resolution: number): RowLookup {
  const n = coords.length / 3;
  const r = resolution;
  const cells = r * r * r;
  if (cells <= DENSE_LIMIT) {
    let grid = pool.get(r);
    if (!grid) {
      grid = new Int32Array(cells).fill(-1);
      pool.set(r, grid);
    }
    pool.delete(r); // exclusive while in use (nested lookups at the same resolution get their own grid)
    const g = grid;
    for (let row = 0; row < n; row++) {
      const i = coords[3 * row],
        j = coords[3 * row + 1],
        k = coords[3 * row + 2];
      if (i < 0 || j < 0 || k < 0 || i >= r || j >= r || k >= r) {
        for (let q = 0; q < row; q++) g[(coords[3 * q] * r + coords[3 * q + 1]) * r + coords[3 * q + 2]] = -1;
        pool.set(r, g);
        throw new RangeError(`voxel ${row} = (${i}, ${j}, ${k}) lies outside the ${r}³ grid`);
      }
      g[(i * r + j) * r + k] = row;
    }
    return {
      dense: g,
      get: (i, j, k) => (i < 0 || j < 0 || k < 0 || i >= r || j >= r || k >= r ? -1 : g[(i * r + j) * r + k]),
      release: () => {
        for (let q = 0; q < n; q++) g[(coords[3 * q] * r + coords[3 * q + 1]) * r + coords[3 * q + 2]] = -1;
        pool.set(r, g);
      },
    };
  }
  const map = new Map<number, number>();
  for (let row = 0; row < n; row++) map.set((coords[3 * row] * r + coords[3 * row + 1]) * r + coords[3 * row + 2], row);
  return {
    dense: null,
    get: (i, j, k) =>
      i < 0 || j < 0 || k < 0 || i >= r || j >= r || k >= r ? -1 : (map.get((i * r + j) * r + k) ?? -1),
    release: () => map.clear(),
  };
}
