/**
 * Solid voxelisation of a closed triangle mesh by ray parity along +z: each column (i, j) of the grid
 * shoots a ray through its centre, collects the z of every triangle crossing, and fills the voxels
 * whose centres lie between consecutive entry/exit pairs. Exact for watertight meshes; for open meshes
 * the parity is only approximate (documented in docs/metrics.md).
 */
import type { Mesh } from '../types';

/** Occupancy of `res`³ voxels covering the cube [lo, hi]³ (index i·res² + j·res + k for x, y, z). */
export function voxelizeSolid(mesh: Mesh, res: number, lo = -0.5, hi = 0.5): Uint8Array {
  const occ = new Uint8Array(res * res * res);
  const cell = (hi - lo) / res;
  // A tiny irrational offset keeps rays off shared edges and vertices, where parity would double count.
  const jitterX = cell * 1e-4 * Math.SQRT2, jitterY = cell * 1e-4 * Math.PI * 0.5;
  const hits: number[][] = Array.from({ length: res * res }, () => []);
  const p = mesh.positions;
  const f = mesh.indices;
  for (let t = 0; t < f.length; t += 3) {
    const a = f[t] * 3, b = f[t + 1] * 3, c = f[t + 2] * 3;
    const ax = p[a], ay = p[a + 1], az = p[a + 2];
    const bx = p[b], by = p[b + 1], bz = p[b + 2];
    const cx = p[c], cy = p[c + 1], cz = p[c + 2];
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (Math.abs(det) < 1e-18) continue; // edge-on triangle: the ray grazes it
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx, cx) - lo - jitterX) / cell - 0.5));
    const i1 = Math.min(res - 1, Math.floor((Math.max(ax, bx, cx) - lo - jitterX) / cell - 0.5));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by, cy) - lo - jitterY) / cell - 0.5));
    const j1 = Math.min(res - 1, Math.floor((Math.max(ay, by, cy) - lo - jitterY) / cell - 0.5));
    for (let i = i0; i <= i1; i++) {
      const x = lo + (i + 0.5) * cell + jitterX;
      for (let j = j0; j <= j1; j++) {
        const y = lo + (j + 0.5) * cell + jitterY;
        const w0 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / det;
        const w1 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / det;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        hits[i * res + j].push(w0 * az + w1 * bz + w2 * cz);
      }
    }
  }
  for (let col = 0; col < hits.length; col++) {
    const zs = hits[col];
    if (zs.length < 2) continue;
    zs.sort((u, v) => u - v);
    const i = Math.floor(col / res), j = col % res;
    for (let h = 0; h + 1 < zs.length; h += 2) {
      const k0 = Math.max(0, Math.ceil((zs[h] - lo) / cell - 0.5));
      const k1 = Math.min(res - 1, Math.floor((zs[h + 1] - lo) / cell - 0.5));
      for (let k = k0; k <= k1; k++) occ[(i * res + j) * res + k] = 1;
    }
  }
  return occ;
}

/** Intersection over union of two occupancy grids of the same size. */
export function occupancyIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x | y) union++;
    if (x & y) inter++;
  }
  return union === 0 ? 1 : inter / union;
}
