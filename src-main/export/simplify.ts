/**
 * Simplification to a target triangle count with meshoptimizer's attribute-aware simplifier, so colours
 * survive (colour differences count in the error metric and are carried by the kept vertices).
 */
import { MeshoptSimplifier } from 'meshoptimizer';
import { computeVertexNormals } from '../pipeline/surface';
import type { Mesh } from '../pipeline/types';
import { ExportInputError } from './mesh-input';

/** Returns a mesh with at most about `targetTriangles` triangles (the input itself when already smaller). */
export async function simplifyMesh(mesh: Mesh, targetTriangles: number): Promise<Mesh> {
  if (!Number.isInteger(targetTriangles) || targetTriangles < 4) {
    throw new ExportInputError(`target triangle count must be an integer of at least 4, got ${targetTriangles}`);
  }
  const triangles = mesh.indices.length / 3;
  if (triangles <= targetTriangles) return mesh;
  await MeshoptSimplifier.ready;
  // Lock nothing; allow any error (the target count is what the user asked for).
  const [collapsed] = MeshoptSimplifier.simplifyWithAttributes(
    mesh.indices,
    mesh.positions,
    3,
    mesh.colors,
    3,
    [0.5, 0.5, 0.5],
    null,
    targetTriangles * 3,
    1,
    [],
  );
  const simplified = withoutCoincidentTriangles(collapsed);
  // Drop vertices no triangle uses any more, keeping positions and colours aligned.
  const V = mesh.positions.length / 3;
  const remap = new Int32Array(V).fill(-1);
  let used = 0;
  for (let i = 0; i < simplified.length; i++) if (remap[simplified[i]] < 0) remap[simplified[i]] = used++;
  const positions = new Float32Array(3 * used);
  const colors = new Float32Array(3 * used);
  for (let v = 0; v < V; v++) {
    const r = remap[v];
    if (r < 0) continue;
    positions.set(mesh.positions.subarray(3 * v, 3 * v + 3), 3 * r);
    colors.set(mesh.colors.subarray(3 * v, 3 * v + 3), 3 * r);
  }
  const indices = new Uint32Array(simplified.length);
  for (let i = 0; i < simplified.length; i++) indices[i] = remap[simplified[i]];
  return { positions, colors, indices, normals: computeVertexNormals(positions, indices) };
}

/**
 * Triangles without the ones on the same three vertices as another. Collapsing both sides of a thin part
 * can leave two faces back to back (one per winding): a zero-volume fin whose edges four faces share,
 * which Blender's "Select Non-Manifold" and 3D-print checks flag and its importers half drop. A pair of
 * opposite windings goes altogether (nothing lies between them); repeats of one winding keep one face.
 */
export function withoutCoincidentTriangles(indices: Uint32Array): Uint32Array {
  const T = indices.length / 3;
  const groups = new Map<string, number[]>();
  for (let t = 0; t < T; t++) {
    const [a, b, c] = [indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]];
    const key = [a, b, c].sort((x, y) => x - y).join(',');
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  if (groups.size === T) return indices;
  const keep = new Uint8Array(T);
  for (const g of groups.values()) {
    if (g.length === 1) {
      keep[g[0]] = 1;
      continue;
    }
    // Winding: +1 when the corners run a → b → c in rising order cyclically, else −1.
    const winding = (t: number) => {
      const [a, b, c] = [indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]];
      return (a < b ? 1 : 0) + (b < c ? 1 : 0) + (c < a ? 1 : 0) === 2 ? 1 : -1;
    };
    const net = g.reduce((s, t) => s + winding(t), 0);
    if (net !== 0) keep[g.find((t) => Math.sign(winding(t)) === Math.sign(net))!] = 1;
  }
  const out: number[] = [];
  for (let t = 0; t < T; t++) if (keep[t]) out.push(indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]);
  return Uint32Array.from(out);
}
