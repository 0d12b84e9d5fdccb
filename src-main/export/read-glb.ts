/**
 * Reads our own GLBs back (a finished run's stored result) so export.run can re-export them in other
 * formats, posed or simplified. Object GLBs hold one node with one mesh in glTF axes; the inverse of
 * (x, y, z)_obj → (x, z, −y) is (x, y, z)_glb → (x, −z, y). COLOR_0 is linear, Mesh colours sRGB.
 * Scene GLBs (with the photo camera) give back the camera so a simplified scene can be rebuilt.
 */
import { NodeIO } from '@gltf-transform/core';
import type { CameraInfo, Mesh } from '../pipeline/types';
import { linearToSrgb } from './color';
import { ExportInputError } from './mesh-input';

export interface ReadGlb {
  /** Name of the first mesh node (the mask name for our object GLBs). */
  name: string;
  /** Object-frame mesh of the first mesh node (node transforms are not applied). */
  mesh: Mesh;
  /** The photo camera of a scene GLB (field of view across the square frame, and the aspect as w:h). */
  camera: CameraInfo | null;
  /** Number of mesh nodes (1 for object GLBs). */
  meshNodes: number;
  /** asset.extras as written (generation parameters, frame). */
  extras: Record<string, unknown>;
}

export async function readGlb(bytes: Uint8Array): Promise<ReadGlb> {
  let doc;
  try {
    doc = await new NodeIO().readBinary(bytes);
  } catch (e) {
    throw new ExportInputError(`The stored result is not a readable GLB (${(e as Error).message}).`);
  }
  const nodes = doc.getRoot().listNodes();
  const meshNodes = nodes.filter((n) => n.getMesh());
  const first = meshNodes[0];
  if (!first) throw new ExportInputError('The stored GLB has no mesh.');
  const prim = first.getMesh()!.listPrimitives()[0];
  const pos = prim.getAttribute('POSITION');
  if (!pos) throw new ExportInputError('The stored GLB mesh has no positions.');
  const V = pos.getCount();
  const positions = new Float32Array(3 * V);
  const colors = new Float32Array(3 * V).fill(0.7);
  const el: number[] = [];
  for (let i = 0; i < V; i++) {
    pos.getElement(i, el);
    positions[3 * i] = el[0];
    positions[3 * i + 1] = -el[2];
    positions[3 * i + 2] = el[1];
  }
  const col = prim.getAttribute('COLOR_0');
  if (col) {
    for (let i = 0; i < V; i++) {
      col.getElement(i, el);
      for (let a = 0; a < 3; a++) colors[3 * i + a] = linearToSrgb(el[a]);
    }
  }
  let normals: Float32Array | undefined;
  const nrm = prim.getAttribute('NORMAL');
  if (nrm) {
    normals = new Float32Array(3 * V);
    for (let i = 0; i < V; i++) {
      nrm.getElement(i, el);
      normals[3 * i] = el[0];
      normals[3 * i + 1] = -el[2];
      normals[3 * i + 2] = el[1];
    }
  }
  const idx = prim.getIndices();
  const indices = idx
    ? Uint32Array.from(idx.getArray() as ArrayLike<number>)
    : Uint32Array.from({ length: V }, (_, i) => i);
  let camera: CameraInfo | null = null;
  const camNode = nodes.find((n) => n.getCamera()?.getType() === 'perspective');
  if (camNode) {
    // Inverse of photoCamera(): yfov spans the photo's height; the square side is the longer side.
    const c = camNode.getCamera()!;
    const aspect = c.getAspectRatio() ?? 1;
    // The pixel size is not stored, only its ratio: keep it exact (not rounded) so the rebuilt camera matches.
    const height = 1000;
    const width = height * aspect;
    const side = Math.max(width, height);
    const fovDeg = (2 * Math.atan(Math.tan(c.getYFov() / 2) * (side / height)) * 180) / Math.PI;
    camera = { fovDeg, width, height };
  }
  const extras = (doc.getRoot().getAsset().extras ?? {}) as Record<string, unknown>;
  return {
    name: first.getName(),
    mesh: { positions, colors, normals, indices },
    camera,
    meshNodes: meshNodes.length,
    extras,
  };
}

/**
 * The names of a GLB's nodes that hold a mesh, in order, read from its JSON chunk only (no buffers are
 * decoded): what names a stored object cheaply. Empty for bytes that are not a GLB.
 */
export function glbMeshNodeNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // 12-byte header ("glTF", version, length), then the first chunk: length, type "JSON", data.
  if (bytes.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67 || view.getUint32(16, true) !== 0x4e4f534a) return [];
  const length = view.getUint32(12, true);
  if (20 + length > bytes.byteLength) return [];
  try {
    const json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 20, length).toString('utf8')) as {
      nodes?: { name?: unknown; mesh?: unknown }[];
    };
    return (json.nodes ?? []).filter((n) => n.mesh !== undefined).map((n) => (typeof n.name === 'string' ? n.name : ''));
  } catch {
    return [];
  }
}
