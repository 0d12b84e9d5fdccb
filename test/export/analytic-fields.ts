/**
 * Synthetic mesh-decoder outputs from analytic SDFs, for surface and export tests and the benchmark.
 * Each voxel row carries 8 corner SDF values and 8×3 raw colour logits (layout sdf [0,8), color [8,32)),
 * optionally followed by neutral (zero) deformation and weights.
 */
import type { MeshDecoderLayout } from '../../src-main/pipeline/surface';

export type Sdf = (x: number, y: number, z: number) => number;

export const sphereSdf =
  (r: number, c = [0, 0, 0]): Sdf =>
  (x, y, z) =>
    Math.hypot(x - c[0], y - c[1], z - c[2]) - r;

export const boxSdf =
  (h: number[]): Sdf =>
  (x, y, z) => {
    const qx = Math.abs(x) - h[0],
      qy = Math.abs(y) - h[1],
      qz = Math.abs(z) - h[2];
    const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0), Math.max(qz, 0));
    return outside + Math.min(Math.max(qx, qy, qz), 0);
  };

/** Raw colour logits: red grows with x, green with y, blue with z (so colours are testable). */
const colourLogit = (x: number, y: number, z: number) => [4 * x, 4 * y, 4 * z];

export interface Field {
  coords: Int32Array;
  feats: Float32Array;
  channels: number;
  resolution: number;
}

export const DMC_LAYOUT: MeshDecoderLayout = {
  layout: { sdf: [0, 8], deform: null, weights: null, color: [8, 32] },
  sdfBias: 0,
  colorActivation: 'sigmoid',
};

export const NEUTRAL_FLEXI_LAYOUT: MeshDecoderLayout = {
  layout: { sdf: [0, 8], deform: [32, 56], weights: [56, 77], color: [8, 32] },
  sdfBias: 0,
  colorActivation: 'sigmoid',
};

/**
 * Voxels of a `resolution`³ grid whose centre SDF is below `band` (in voxels), with exact corner SDFs.
 * `withFlexi` appends 24 + 21 zero channels (neutral deformation and weights).
 */
export function fieldFromSdf(sdf: Sdf, resolution: number, band: number, withFlexi = false): Field {
  const R = resolution;
  const F = withFlexi ? 77 : 32;
  const coords: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      for (let k = 0; k < R; k++) {
        const d = sdf((i + 0.5) / R - 0.5, (j + 0.5) / R - 0.5, (k + 0.5) / R - 0.5);
        if (d * R >= band) continue;
        coords.push(i, j, k);
        const row = new Array<number>(F).fill(0);
        for (let c = 0; c < 8; c++) {
          const x = (i + (c & 1)) / R - 0.5,
            y = (j + ((c >> 1) & 1)) / R - 0.5,
            z = (k + (c >> 2)) / R - 0.5;
          row[c] = sdf(x, y, z);
          const rgb = colourLogit(x, y, z);
          row[8 + 3 * c] = rgb[0];
          row[9 + 3 * c] = rgb[1];
          row[10 + 3 * c] = rgb[2];
        }
        rows.push(row);
      }
    }
  }
  const feats = new Float32Array(rows.length * F);
  rows.forEach((r, n) => feats.set(r, n * F));
  return { coords: new Int32Array(coords), feats, channels: F, resolution: R };
}

/**
 * A field shaped like the pipeline's: the SS occupancy of `sdf` at `coarseRes` (a voxel is occupied when
 * its centre is within half a diagonal of the surface), pruned to the voxels with an empty neighbour (a
 * shell — the interior is NOT covered), each subdivided into 4³ fine children in parent-major order, with
 * the truncated SDF (±3 fine voxels, scaled to ±1) at the fine corners, as the mini pack is trained.
 */
export function shellFieldFromSdf(sdf: Sdf, coarseRes: number): Field {
  const C = coarseRes;
  const occ = new Uint8Array(C * C * C);
  for (let i = 0; i < C; i++)
    for (let j = 0; j < C; j++)
      for (let k = 0; k < C; k++) {
        occ[(i * C + j) * C + k] =
          sdf((i + 0.5) / C - 0.5, (j + 0.5) / C - 0.5, (k + 0.5) / C - 0.5) <= 0.866 / C ? 1 : 0;
      }
  const at = (i: number, j: number, k: number) =>
    i < 0 || j < 0 || k < 0 || i >= C || j >= C || k >= C ? 0 : occ[(i * C + j) * C + k];
  const R = 4 * C;
  const coords: number[] = [];
  const rows: number[] = [];
  for (let i = 0; i < C; i++)
    for (let j = 0; j < C; j++)
      for (let k = 0; k < C; k++) {
        if (!at(i, j, k)) continue;
        let surface = false;
        for (let d = 0; d < 27 && !surface; d++)
          if (!at(i + (d % 3) - 1, j + (Math.floor(d / 3) % 3) - 1, k + Math.floor(d / 9) - 1)) surface = true;
        if (!surface) continue;
        for (let c = 0; c < 64; c++) {
          const fi = 4 * i + (c >> 4),
            fj = 4 * j + ((c >> 2) & 3),
            fk = 4 * k + (c & 3);
          coords.push(fi, fj, fk);
          for (let q = 0; q < 8; q++) {
            const x = (fi + (q & 1)) / R - 0.5,
              y = (fj + ((q >> 1) & 1)) / R - 0.5,
              z = (fk + (q >> 2)) / R - 0.5;
            rows.push(Math.max(-3, Math.min(3, sdf(x, y, z) * R)) / 3);
          }
          for (let q = 0; q < 8; q++) rows.push(1, 1, 1);
        }
      }
  const n = coords.length / 3;
  const feats = new Float32Array(n * 32);
  for (let v = 0; v < n; v++) {
    feats.set(rows.slice(v * 32, v * 32 + 8), v * 32);
    feats.set(rows.slice(v * 32 + 8, v * 32 + 32), v * 32 + 8);
  }
  return { coords: new Int32Array(coords), feats, channels: 32, resolution: R };
}
