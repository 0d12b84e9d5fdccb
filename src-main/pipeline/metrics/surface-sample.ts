/** Area-weighted surface sampling of a triangle mesh with a seeded uniform generator. */
import type { Mesh } from '../types';

export interface SurfaceSamples {
  /** n×3 positions. */
  points: Float32Array;
  /** n×3 colours (barycentric interpolation of vertex colours), 0..1. */
  colors: Float32Array;
}

/** Draw `count` points uniformly over the surface area; `uniform` returns numbers in [0, 1). */
export function sampleSurface(mesh: Mesh, count: number, uniform: () => number): SurfaceSamples {
  const { positions: p, colors: c, indices: f } = mesh;
  const nf = f.length / 3;
  if (nf === 0) throw new Error('cannot sample a mesh without triangles');
  const cdf = new Float64Array(nf);
  let total = 0;
  for (let t = 0; t < nf; t++) {
    const a = f[3 * t] * 3, b = f[3 * t + 1] * 3, d = f[3 * t + 2] * 3;
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    const vx = p[d] - p[a], vy = p[d + 1] - p[a + 1], vz = p[d + 2] - p[a + 2];
    const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
    total += 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
    cdf[t] = total;
  }
  if (!(total > 0)) throw new Error('cannot sample a mesh whose surface area is zero');
  const points = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const target = uniform() * total;
    let lo = 0, hi = nf - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    let r1 = uniform(), r2 = uniform();
    if (r1 + r2 > 1) {
      r1 = 1 - r1;
      r2 = 1 - r2;
    }
    const w0 = 1 - r1 - r2;
    const a = f[3 * lo], b = f[3 * lo + 1], d = f[3 * lo + 2];
    for (let k = 0; k < 3; k++) {
      points[3 * i + k] = w0 * p[3 * a + k] + r1 * p[3 * b + k] + r2 * p[3 * d + k];
      colors[3 * i + k] = w0 * c[3 * a + k] + r1 * c[3 * b + k] + r2 * c[3 * d + k];
    }
  }
  return { points, colors };
}

/** Axis-aligned bounding box of an n×3 position array. */
export function boundingBox(positions: Float32Array): { min: [number, number, number]; max: [number, number, number] } {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = positions[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  return { min, max };
}
