import { describe, expect, it } from 'vitest';
import {
  coarseTables,
  meshDecoderTables,
  neighbourMap,
  subdivide,
  subdividedNeighbourMap,
  windowTables,
} from '../../src-main/pipeline/sparse/tables';
import { occupiedCoords, surfaceRows } from '../../src-main/pipeline/sparse/occupancy';
import { Rng } from '../../src-main/pipeline/rng';

/** A random sparse blob: sphere-ish shell plus noise, lexicographic, unique. */
function randomCoords(res: number, count: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const set = new Set<number>();
  while (set.size < count) set.add(Math.floor(rng.uniform() * res * res * res));
  const keys = [...set].sort((a, b) => a - b);
  const out = new Int32Array(keys.length * 3);
  keys.forEach((key, q) => {
    out[3 * q] = Math.floor(key / (res * res));
    out[3 * q + 1] = Math.floor(key / res) % res;
    out[3 * q + 2] = key % res;
  });
  return out;
}

function rowOf(coords: Int32Array, i: number, j: number, k: number): number {
  for (let q = 0; q < coords.length / 3; q++)
    if (coords[3 * q] === i && coords[3 * q + 1] === j && coords[3 * q + 2] === k) return q;
  return -1;
}

describe('sparse tables against brute force', () => {
  const res = 12;
  const coords = randomCoords(res, 400, 7);
  const n = coords.length / 3;

  it('neighbour map: offset o = kd·9+kh·3+kw, sentinel N, o = 13 is the voxel itself', () => {
    const nbr = neighbourMap(coords, res);
    for (let q = 0; q < n; q++) {
      expect(nbr[q * 27 + 13]).toBe(q);
      for (let o = 0; o < 27; o++) {
        const d = [Math.floor(o / 9) - 1, (Math.floor(o / 3) % 3) - 1, (o % 3) - 1];
        const hit = rowOf(coords, coords[3 * q] + d[0], coords[3 * q + 1] + d[1], coords[3 * q + 2] + d[2]);
        expect(nbr[q * 27 + o]).toBe(hit < 0 ? n : hit);
      }
    }
  });

  // The second case has a sparse key space (100³ grid, 300 voxels), which takes the sort path.
  it.each([
    ['dense key space', coords, res],
    ['sparse key space', randomCoords(100, 300, 8), 100],
  ] as const)(
    'coarse tables (%s): unique lexicographic parents, children slots, inverse counts, fine→coarse',
    (_, coords, res) => {
      const n = coords.length / 3;
      const t = coarseTables(coords, res);
      const keys = new Set<string>();
      for (let q = 0; q < n; q++)
        keys.add([coords[3 * q] >> 1, coords[3 * q + 1] >> 1, coords[3 * q + 2] >> 1].join(','));
      const expected = [...keys]
        .map((s) => s.split(',').map(Number))
        .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      expect(Array.from(t.coarse)).toEqual(expected.flat());
      expect(Array.from(t.coarseXyz)).toEqual(expected.flat());
      expected.forEach((p, c) => {
        let present = 0;
        for (let slot = 0; slot < 8; slot++) {
          const child = rowOf(coords, 2 * p[0] + (slot >> 2), 2 * p[1] + ((slot >> 1) & 1), 2 * p[2] + (slot & 1));
          expect(t.children[c * 8 + slot]).toBe(child < 0 ? n : child);
          if (child >= 0) {
            present++;
            expect(t.fineToCoarse[child]).toBe(c);
          }
        }
        expect(t.invCount[c]).toBeCloseTo(1 / present, 7);
      });
    },
  );

  it('window tables: windows lexicographic by window coordinate, tokens in row order, inverse positions', () => {
    for (const shift of [0, 4]) {
      const w = windowTables(coords, 8, shift);
      const win = (q: number) => [0, 1, 2].map((a) => Math.floor((coords[3 * q + a] + shift) / 8));
      const groups = new Map<string, number[]>();
      for (let q = 0; q < n; q++) {
        const key = win(q).join(',');
        groups.set(key, [...(groups.get(key) ?? []), q]);
      }
      const ordered = [...groups.entries()].sort((a, b) => {
        const x = a[0].split(',').map(Number),
          y = b[0].split(',').map(Number);
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
      });
      const lmax = Math.max(...ordered.map((g) => g[1].length));
      expect(w.windows).toBe(ordered.length);
      expect(w.maxLen).toBe(lmax);
      ordered.forEach(([, rows], wi) => {
        for (let s = 0; s < lmax; s++) expect(w.idx[wi * lmax + s]).toBe(s < rows.length ? rows[s] : n);
        rows.forEach((row, s) => expect(w.inv[row]).toBe(wi * lmax + s));
      });
    }
  });

  it('subdivision is parent-major with c = dx·4+dy·2+dz and level neighbour maps match brute force', () => {
    const small = coords.subarray(0, 3 * 20);
    const sub = subdivide(small);
    for (let p = 0; p < 20; p++) {
      for (let c = 0; c < 8; c++) {
        const row = p * 8 + c;
        expect([sub[3 * row], sub[3 * row + 1], sub[3 * row + 2]]).toEqual([
          2 * small[3 * p] + (c >> 2),
          2 * small[3 * p + 1] + ((c >> 1) & 1),
          2 * small[3 * p + 2] + (c & 1),
        ]);
      }
    }
    const t = meshDecoderTables(small, res, { subdivisions: 2, window: 8, shifts: [0, 4] });
    expect(t.levelNbr[0]).toEqual(neighbourMap(sub, res * 2));
    expect(t.fineCoords.length).toBe(64 * 20 * 3);
    expect(t.fineResolution).toBe(res * 4);
    const l2 = t.levelNbr[1];
    for (let q = 0; q < 64 * 20; q += 37) {
      for (let o = 0; o < 27; o++) {
        const d = [Math.floor(o / 9) - 1, (Math.floor(o / 3) % 3) - 1, (o % 3) - 1];
        const hit = rowOf(
          t.fineCoords,
          t.fineCoords[3 * q] + d[0],
          t.fineCoords[3 * q + 1] + d[1],
          t.fineCoords[3 * q + 2] + d[2],
        );
        expect(l2[q * 27 + o]).toBe(hit < 0 ? 64 * 20 : hit);
      }
    }
  });

  it('subdivided neighbour maps (from the parents\' map) equal a lookup on the subdivided level, twice over', () => {
    // A dense random blob and a solid block touching both grid borders (sentinels across the boundary).
    const block: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 8; j < 12; j++) for (let k = 0; k < 12; k += 2) block.push(i, j, k);
    for (const parents of [coords, Int32Array.from(block)]) {
      let level = parents,
        r = res,
        nbr = neighbourMap(parents, res);
      for (let s = 0; s < 2; s++) {
        level = subdivide(level);
        r *= 2;
        nbr = subdividedNeighbourMap(nbr);
        const want = neighbourMap(level, r);
        // First differing entry (vitest's deep equality is slow on 700k-entry arrays).
        expect(nbr.length).toBe(want.length);
        expect(nbr.findIndex((v, q) => v !== want[q])).toBe(-1);
      }
    }
  });

  it('rejects coordinates outside the grid with a message naming the voxel', () => {
    expect(() => neighbourMap(Int32Array.from([0, 0, 0, 5, 1, 12]), 12)).toThrow(
      /voxel 1 = \(5, 1, 12\) lies outside the 12³ grid/,
    );
    // the pooled grid is left clean after the failure
    expect(neighbourMap(Int32Array.from([0, 0, 0]), 12)[13]).toBe(0);
  });
});

describe('occupancy and surface pruning', () => {
  it('thresholds in lexicographic order and keeps only voxels next to empty space (outside = empty)', () => {
    const r = 6;
    const logits = new Float32Array(r * r * r).fill(-1);
    // solid 4³ block at 1..4: its 2³ interior core (2..3) has no empty neighbour
    for (let i = 1; i <= 4; i++)
      for (let j = 1; j <= 4; j++) for (let k = 1; k <= 4; k++) logits[(i * r + j) * r + k] = 2;
    const coords = occupiedCoords(logits, r, 0);
    expect(coords.length / 3).toBe(64);
    expect(Array.from(coords.subarray(0, 6))).toEqual([1, 1, 1, 1, 1, 2]);
    const kept = surfaceRows(coords, r, 1);
    expect(kept.length).toBe(64 - 8);
    for (const q of kept) {
      const inner = [0, 1, 2].every((a) => coords[3 * q + a] >= 2 && coords[3 * q + a] <= 3);
      expect(inner).toBe(false);
    }
    // a full grid: only the boundary layer survives, because outside the grid counts as empty
    const full = occupiedCoords(new Float32Array(r * r * r).fill(1), r, 0);
    expect(surfaceRows(full, r, 1).length).toBe(r ** 3 - (r - 2) ** 3);
  });
});
