/**
 * Read the triangles of a GLB back into a Mesh (object frame, z-up) so a result thumbnail can be drawn
 * when the caller only has the exported file. GLB is y-up: (x, y, z)_obj → (x, z, −y)_glb, so the
 * inverse is (x, y, z)_glb → (x, −z, y)_obj. glTF COLOR_0 is linear; Mesh colours are sRGB.
 */
import { NodeIO } from '@gltf-transform/core';
import type { Mesh } from '../pipeline/types';

const toSrgb = (c: number): number => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);

export async function meshFromGlb(bytes: Uint8Array): Promise<Mesh> {
  const doc = await new NodeIO().readBinary(bytes);
  const positions: number[] = [];
  const colors: number[] = [];
  const indices: number[] = [];
  const el: number[] = [];
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      if (prim.getMode() !== 4) continue; // TRIANGLES only
      const pos = prim.getAttribute('POSITION');
      if (!pos) continue;
      const col = prim.getAttribute('COLOR_0');
      const base = positions.length / 3;
      for (let i = 0; i < pos.getCount(); i++) {
        pos.getElement(i, el);
        positions.push(el[0], -el[2], el[1]);
        if (col) {
          col.getElement(i, el);
          colors.push(toSrgb(el[0]), toSrgb(el[1]), toSrgb(el[2]));
        } else {
          colors.push(0.7, 0.7, 0.72);
        }
      }
      const idx = prim.getIndices();
      if (idx) for (let i = 0; i < idx.getCount(); i++) indices.push(base + idx.getScalar(i));
      else for (let i = 0; i < pos.getCount(); i++) indices.push(base + i);
    }
  }
  return { positions: new Float32Array(positions), colors: new Float32Array(colors), indices: new Uint32Array(indices) };
}
