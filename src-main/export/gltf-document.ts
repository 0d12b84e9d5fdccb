/** Building blocks shared by the object and scene GLB writers (glTF-Transform documents). */
import { Document, NodeIO, type Material, type Mesh as GltfMesh } from '@gltf-transform/core';
import { computeVertexNormals } from '../pipeline/surface';
import type { Mesh } from '../pipeline/types';
import { srgbArrayToLinear } from './color';

export const GENERATOR = 'Fast-SAM3D Studio';

export function newDocument(extras?: Record<string, unknown>): Document {
  const doc = new Document();
  const asset = doc.getRoot().getAsset();
  asset.generator = GENERATOR;
  if (extras) asset.extras = JSON.parse(JSON.stringify(extras)) as Record<string, unknown>;
  doc.createBuffer('buffer');
  return doc;
}

/** Vertex-colour material: white base colour (multiplied by COLOR_0), rough dielectric, double-sided. */
export function vertexColourMaterial(doc: Document): Material {
  return doc
    .createMaterial('vertex_colours') // as the OBJ's MTL names it: one material name in Blender
    .setBaseColorFactor([1, 1, 1, 1])
    .setMetallicFactor(0)
    .setRoughnessFactor(0.8)
    .setDoubleSided(true);
}

/**
 * A glTF mesh from positions/normals already in glTF axes plus sRGB colours (written linear, as COLOR_0
 * requires).
 */
export function addMesh(
  doc: Document,
  name: string,
  positions: Float32Array,
  normals: Float32Array | undefined,
  colors: Float32Array,
  indices: Uint32Array,
  material: Material,
): GltfMesh {
  const buffer = doc.getRoot().listBuffers()[0];
  const n = normals ?? computeVertexNormals(positions, indices);
  const prim = doc
    .createPrimitive()
    .setAttribute(
      'POSITION',
      doc.createAccessor(`${name} positions`).setType('VEC3').setArray(positions).setBuffer(buffer),
    )
    .setAttribute('NORMAL', doc.createAccessor(`${name} normals`).setType('VEC3').setArray(n).setBuffer(buffer))
    .setAttribute(
      'COLOR_0',
      doc.createAccessor(`${name} colours`).setType('VEC3').setArray(srgbArrayToLinear(colors)).setBuffer(buffer),
    )
    .setIndices(doc.createAccessor(`${name} indices`).setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(material);
  return doc.createMesh(name).addPrimitive(prim);
}

export async function documentToGlb(doc: Document): Promise<Uint8Array> {
  return new NodeIO().writeBinary(doc);
}

/** Re-normalise normals after a transform (rounding may leave them slightly off unit length). */
export function normalize3(v: Float32Array): Float32Array {
  for (let i = 0; i < v.length; i += 3) {
    const l = Math.hypot(v[i], v[i + 1], v[i + 2]) || 1;
    v[i] /= l;
    v[i + 1] /= l;
    v[i + 2] /= l;
  }
  return v;
}

export type { Mesh };
