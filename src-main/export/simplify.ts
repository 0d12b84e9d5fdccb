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
  const [simplified] = MeshoptSimplifier.simplifyWithAttributes(
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
