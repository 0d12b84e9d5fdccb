/** Object GLB: one mesh, glTF 2.0 y-up metres, POSITION + NORMAL + COLOR_0, double-sided material. */
import { computeVertexNormals } from '../pipeline/surface';
import type { Layout, Mesh } from '../pipeline/types';
import { writeFileAtomic } from './atomic-write';
import type { CameraInfo } from '../pipeline/types';
import { cameraToGltf, objectToGltf, poseMesh } from './frames';
import { sceneGlbBytes } from './scene';
import { addMesh, documentToGlb, newDocument, normalize3, vertexColourMaterial } from './gltf-document';
import { assertExportableMesh } from './mesh-input';
import { objectName } from './names';

export interface MeshExportOptions {
  /**
   * Name of the object: the glTF node and mesh, the OBJ `o` (defaults to "object"), written by the one
   * naming rule (names.ts `objectName`: the file-name rule, which is also what Blender calls a PLY's object).
   */
  name?: string;
  /**
   * Place the mesh in the camera frame with this layout (else the canonical object frame). OBJ and PLY
   * bake it into the vertices; a GLB carries it as the node's transform, so the object's origin stays at
   * the object (with the photo camera when `camera` is given).
   */
  layout?: Layout | null;
  /** The photo's camera, added to a posed GLB so the object lines up with the photo through it. */
  camera?: CameraInfo | null;
  /** Generation parameters etc., stored in the asset extras (GLB) or as header comments (OBJ/PLY). */
  extras?: Record<string, unknown>;
}

/**
 * Positions and normals in glTF axes: object frame → (x, z, −y), or posed → camera frame → diag(−1,1,−1).
 * Exported for the OBJ/PLY writers, which use the same y-up convention so Blender's importers agree.
 */
export function meshInGltfAxes(
  mesh: Mesh,
  layout: Layout | null | undefined,
): { positions: Float32Array; normals: Float32Array } {
  const normals = mesh.normals ?? computeVertexNormals(mesh.positions, mesh.indices);
  if (layout) {
    const posed = poseMesh({ ...mesh, normals }, layout);
    return { positions: cameraToGltf(posed.positions), normals: normalize3(cameraToGltf(posed.normals!)) };
  }
  return { positions: objectToGltf(mesh.positions), normals: objectToGltf(normals) };
}

/** The GLB bytes of one object (no file written). */
export async function glbBytes(mesh: Mesh, opts: MeshExportOptions = {}): Promise<Uint8Array> {
  assertExportableMesh(mesh, opts.name ?? 'object');
  const name = objectName(opts.name ?? 'object');
  if (opts.layout) return sceneGlbBytes([{ name, mesh, layout: opts.layout }], opts.camera ?? null, opts.extras, name);
  const doc = newDocument({
    ...(opts.extras ?? {}),
    frame: 'object (canonical), glTF axes',
  });
  const { positions, normals } = meshInGltfAxes(mesh, null);
  const gm = addMesh(doc, name, positions, normals, mesh.colors, mesh.indices, vertexColourMaterial(doc));
  const node = doc.createNode(name).setMesh(gm);
  doc.createScene(name).addChild(node);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);
  return documentToGlb(doc);
}

/** Writes an object GLB atomically; returns the number of bytes written. */
export async function writeGlb(file: string, mesh: Mesh, opts: MeshExportOptions = {}): Promise<number> {
  return writeFileAtomic(file, await glbBytes(mesh, opts));
}
