/**
 * Wavefront OBJ + MTL with per-vertex colours in the common `v x y z r g b` extension (sRGB 0..1; read by
 * Blender ≥ 3.x, MeshLab, ZBrush). Axes as GLB (y-up), which is what OBJ importers assume by default.
 */
import path from 'node:path';
import type { Mesh } from '../pipeline/types';
import { writeFileAtomic } from './atomic-write';
import { meshInGltfAxes, type MeshExportOptions } from './glb';
import { assertExportableMesh } from './mesh-input';
import { objectName } from './names';

const f6 = (x: number) => (Math.abs(x) < 5e-7 ? '0' : x.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''));
const f4 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x).toFixed(4);

function headerComments(opts: MeshExportOptions): string {
  const lines = [
    '# Fast-SAM3D Studio export',
    `# frame: ${opts.layout ? 'camera (posed: placed, scaled and turned by the layout)' : 'object (canonical: fits a unit cube; its size in the photo is the layout scale of the run report)'}, y-up`,
  ];
  if (opts.extras) lines.push(`# extras: ${JSON.stringify(opts.extras)}`);
  return lines.join('\n') + '\n';
}

/** OBJ and MTL texts; `mtlName` is the MTL file name referenced by `mtllib`. */
export function objTexts(mesh: Mesh, mtlName: string, opts: MeshExportOptions = {}): { obj: string; mtl: string } {
  assertExportableMesh(mesh, opts.name ?? 'object');
  const name = objectName(opts.name ?? 'object');
  const { positions, normals } = meshInGltfAxes(mesh, opts.layout);
  const c = mesh.colors;
  const parts: string[] = [headerComments(opts), `mtllib ${mtlName}\n`, `o ${name}\n`];
  const V = positions.length / 3;
  // Build in chunks: a single huge string concatenation is slow and one line per array entry is wasteful.
  let chunk: string[] = [];
  const flush = () => {
    parts.push(chunk.join(''));
    chunk = [];
  };
  for (let i = 0; i < V; i++) {
    chunk.push(
      `v ${f6(positions[3 * i])} ${f6(positions[3 * i + 1])} ${f6(positions[3 * i + 2])} ${f4(c[3 * i])} ${f4(c[3 * i + 1])} ${f4(c[3 * i + 2])}\n`,
    );
    if (chunk.length >= 8192) flush();
  }
  for (let i = 0; i < V; i++) {
    chunk.push(`vn ${f6(normals[3 * i])} ${f6(normals[3 * i + 1])} ${f6(normals[3 * i + 2])}\n`);
    if (chunk.length >= 8192) flush();
  }
  chunk.push('usemtl vertex_colours\ns 1\n');
  const idx = mesh.indices;
  for (let f = 0; f < idx.length; f += 3) {
    const a = idx[f] + 1,
      b = idx[f + 1] + 1,
      d = idx[f + 2] + 1;
    chunk.push(`f ${a}//${a} ${b}//${b} ${d}//${d}\n`);
    if (chunk.length >= 8192) flush();
  }
  flush();
  // MTL has no way to say "use the vertex colours": importers read them as a colour attribute (Blender:
  // "Color") and give the object this plain white material, which ignores it (see the README).
  const mtl =
    '# Fast-SAM3D Studio: colours are per vertex (v x y z r g b), read as a colour attribute, not by this material\nnewmtl vertex_colours\nKa 0 0 0\nKd 1 1 1\nKs 0 0 0\nNs 10\nd 1\nillum 1\n';
  return { obj: parts.join(''), mtl };
}

/** Writes `file` (.obj) and its MTL beside it (same base name); returns the bytes of both. */
export async function writeObj(
  file: string,
  mesh: Mesh,
  opts: MeshExportOptions = {},
): Promise<{ objBytes: number; mtlBytes: number; mtlPath: string }> {
  const mtlPath = file.replace(/\.obj$/i, '') + '.mtl';
  const { obj, mtl } = objTexts(mesh, path.basename(mtlPath), opts);
  const mtlBytes = await writeFileAtomic(mtlPath, mtl);
  const objBytes = await writeFileAtomic(file, obj);
  return { objBytes, mtlBytes, mtlPath };
}
