/**
 * Binary little-endian PLY: a coloured triangle mesh (x y z nx ny nz red green blue, uchar colours, int
 * triangle lists). Written z-up (the object frame; posed exports are converted the same way), because
 * Blender's PLY importer takes coordinates as they are.
 */
import type { Mesh } from '../pipeline/types';
import { writeFileAtomic } from './atomic-write';
import { toByte } from './color';
import { meshInGltfAxes, type MeshExportOptions } from './glb';
import { assertExportableMesh } from './mesh-input';

/** glTF axes (y-up) → z-up: (x, y, z) → (x, −z, y), the inverse of the object→glTF swap. */
function gltfToZUp(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    out[i] = v[i];
    out[i + 1] = -v[i + 2];
    out[i + 2] = v[i + 1];
  }
  return out;
}

export function plyBytes(mesh: Mesh, opts: MeshExportOptions = {}): Uint8Array {
  assertExportableMesh(mesh, opts.name ?? 'object');
  const g = meshInGltfAxes(mesh, opts.layout);
  const positions = gltfToZUp(g.positions);
  const normals = gltfToZUp(g.normals);
  const V = positions.length / 3;
  const F = mesh.indices.length / 3;
  const comments = [
    `comment Fast-SAM3D Studio export, ${opts.layout ? 'camera frame (posed: placed, scaled and turned by the layout)' : 'object frame (canonical: fits a unit cube; its size in the photo is the layout scale of the run report)'}, z-up`,
  ];
  // The header is ASCII, one element per line: anything else in the JSON (a pack or mask name in
  // Chinese, say) becomes a \uXXXX escape, which keeps it valid JSON. Written raw, '上' (U+4E0A) would
  // end up as the byte 0x0A, a line break in the middle of the header that no reader can parse.
  if (opts.extras) {
    const ascii = JSON.stringify(opts.extras).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    comments.push(`comment extras ${ascii}`);
  }
  const header =
    [
      'ply',
      'format binary_little_endian 1.0',
      ...comments,
      `element vertex ${V}`,
      'property float x',
      'property float y',
      'property float z',
      'property float nx',
      'property float ny',
      'property float nz',
      'property uchar red',
      'property uchar green',
      'property uchar blue',
      `element face ${F}`,
      'property list uchar int vertex_indices',
      'end_header',
    ].join('\n') + '\n';
  const head = Buffer.from(header, 'ascii');
  const vStride = 27;
  const out = new Uint8Array(head.length + V * vStride + F * 13);
  out.set(head, 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let o = head.length;
  for (let i = 0; i < V; i++) {
    for (let a = 0; a < 3; a++) dv.setFloat32(o + 4 * a, positions[3 * i + a], true);
    for (let a = 0; a < 3; a++) dv.setFloat32(o + 12 + 4 * a, normals[3 * i + a], true);
    for (let a = 0; a < 3; a++) out[o + 24 + a] = toByte(mesh.colors[3 * i + a]);
    o += vStride;
  }
  for (let f = 0; f < F; f++) {
    out[o] = 3;
    for (let a = 0; a < 3; a++) dv.setInt32(o + 1 + 4 * a, mesh.indices[3 * f + a], true);
    o += 13;
  }
  return out;
}

export async function writePly(file: string, mesh: Mesh, opts: MeshExportOptions = {}): Promise<number> {
  return writeFileAtomic(file, plyBytes(mesh, opts));
}
