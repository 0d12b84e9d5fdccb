/** Topology and geometry checks of triangle meshes used by the surface and export tests. */
import type { Mesh } from '../../src-main/pipeline/types';

export interface Topology {
  vertices: number;
  edges: number;
  faces: number;
  /** Undirected edges not used by exactly two faces. */
  nonManifoldEdges: number;
  /** Directed edges used twice (two neighbouring faces wound inconsistently). */
  inconsistentEdges: number;
  eulerCharacteristic: number;
}

export function topology(mesh: Mesh): Topology {
  const V = mesh.positions.length / 3;
  const undirected = new Map<number, number>();
  const directed = new Map<number, number>();
  const idx = mesh.indices;
  for (let f = 0; f < idx.length; f += 3) {
    for (let e = 0; e < 3; e++) {
      const a = idx[f + e],
        b = idx[f + ((e + 1) % 3)];
      const u = Math.min(a, b) * V + Math.max(a, b);
      undirected.set(u, (undirected.get(u) ?? 0) + 1);
      const d = a * V + b;
      directed.set(d, (directed.get(d) ?? 0) + 1);
    }
  }
  let nonManifoldEdges = 0;
  for (const n of undirected.values()) if (n !== 2) nonManifoldEdges++;
  let inconsistentEdges = 0;
  for (const n of directed.values()) if (n !== 1) inconsistentEdges++;
  const faces = idx.length / 3;
  return {
    vertices: V,
    edges: undirected.size,
    faces,
    nonManifoldEdges,
    inconsistentEdges,
    eulerCharacteristic: V - undirected.size + faces,
  };
}

/** Signed volume (positive when faces wind counter-clockwise seen from outside). */
export function signedVolume(mesh: Mesh): number {
  const p = mesh.positions;
  let vol = 0;
  for (let f = 0; f < mesh.indices.length; f += 3) {
    const a = 3 * mesh.indices[f],
      b = 3 * mesh.indices[f + 1],
      c = 3 * mesh.indices[f + 2];
    vol +=
      p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
      p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
      p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]);
  }
  return vol / 6;
}

export function bounds(positions: Float32Array): { min: number[]; max: number[] } {
  const min = [Infinity, Infinity, Infinity],
    max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], positions[i + a]);
      max[a] = Math.max(max[a], positions[i + a]);
    }
  }
  return { min, max };
}

/** Number of vertices whose position equals an earlier vertex's exactly. */
export function duplicateVertices(positions: Float32Array): number {
  const seen = new Set<string>();
  let dup = 0;
  for (let i = 0; i < positions.length; i += 3) {
    const key = `${positions[i]},${positions[i + 1]},${positions[i + 2]}`;
    if (seen.has(key)) dup++;
    else seen.add(key);
  }
  return dup;
}

/** Triangles with a repeated index or zero area. */
export function degenerateFaces(mesh: Mesh): number {
  const p = mesh.positions;
  let bad = 0;
  for (let f = 0; f < mesh.indices.length; f += 3) {
    const a = mesh.indices[f],
      b = mesh.indices[f + 1],
      c = mesh.indices[f + 2];
    if (a === b || b === c || a === c) {
      bad++;
      continue;
    }
    const ux = p[3 * b] - p[3 * a],
      uy = p[3 * b + 1] - p[3 * a + 1],
      uz = p[3 * b + 2] - p[3 * a + 2];
    const vx = p[3 * c] - p[3 * a],
      vy = p[3 * c + 1] - p[3 * a + 1],
      vz = p[3 * c + 2] - p[3 * a + 2];
    if (Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) === 0) bad++;
  }
  return bad;
}
