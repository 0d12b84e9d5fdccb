/**
 * Scene GLB: one node per object, named after its mask, carrying its layout as the node transform (the
 * mesh itself stays in its own object frame, in glTF axes), plus a perspective camera at the origin
 * looking down −Z with the photo's field of view — so the objects line up with the photo through it.
 */
import { NodeIO } from '@gltf-transform/core';
import { photoCamera as pipelinePhotoCamera } from '../pipeline/camera';
import { computeVertexNormals } from '../pipeline/surface';
import type { CameraInfo, Layout, Mesh } from '../pipeline/types';
import { writeFileAtomic } from './atomic-write';
import { linearToSrgb, srgbArrayToLinear } from './color';
import { layoutToGltfNode, objectToGltf } from './frames';
import { addMesh, documentToGlb, newDocument, vertexColourMaterial } from './gltf-document';
import { assertExportableMesh, ExportInputError } from './mesh-input';
import { objectName } from './names';
import { simplifyMesh } from './simplify';

export interface SceneObject {
  name: string;
  /** Object-frame mesh (z-up, [-0.5, 0.5]³). */
  mesh: Mesh;
  layout: Layout;
}

/**
 * glTF camera of the photo. `fovDeg` spans the side of the square full frame (the photo padded to a
 * square of side max(w, h)); the photo's own vertical field of view follows from its height.
 */
export function photoCamera(camera: CameraInfo): { yfov: number; aspectRatio: number } {
  if (!(camera.fovDeg > 0 && camera.fovDeg < 180) || !(camera.width > 0) || !(camera.height > 0)) {
    throw new ExportInputError(`invalid camera: fovDeg ${camera.fovDeg}, size ${camera.width}×${camera.height}`);
  }
  // The pipeline's photo camera (one home of the padded-square convention): yfov spans the photo's height.
  const { focal } = pipelinePhotoCamera(camera.fovDeg, camera.width, camera.height);
  return { yfov: 2 * Math.atan(camera.height / 2 / focal), aspectRatio: camera.width / camera.height };
}

/**
 * The GLB of objects placed by their layouts (node transforms over object-frame meshes), with the photo
 * camera when `camera` is given: a scene, or one object exported posed (its origin stays at the object,
 * where an artist turns and scales it, and the camera shows it as the photo did).
 */
export async function sceneGlbBytes(
  objects: SceneObject[],
  camera: CameraInfo | null,
  extras?: Record<string, unknown>,
  sceneName = 'scene',
): Promise<Uint8Array> {
  if (objects.length === 0) throw new ExportInputError('a scene needs at least one object');
  objects.forEach((o) => assertExportableMesh(o.mesh, o.name));
  const doc = newDocument({
    ...(extras ?? {}),
    frame: `${camera ? 'camera at the origin looking down -Z, ' : 'camera frame, '}object${objects.length > 1 ? 's' : ''} placed by ${objects.length > 1 ? 'their layouts' : 'its layout'} (node transform${objects.length > 1 ? 's' : ''}), glTF axes`,
  });
  const material = vertexColourMaterial(doc);
  const scene = doc.createScene(objectName(sceneName, 'scene'));
  if (camera) {
    const { yfov, aspectRatio } = photoCamera(camera);
    const cam = doc
      .createCamera('photo')
      .setType('perspective')
      .setYFov(yfov)
      .setAspectRatio(aspectRatio)
      .setZNear(0.01)
      .setZFar(1000);
    scene.addChild(doc.createNode('photo camera').setCamera(cam));
  }
  const nodeName = uniqueObjectNames();
  for (const o of objects) {
    const name = nodeName(o.name);
    const normals = o.mesh.normals ? objectToGltf(o.mesh.normals) : undefined;
    const gm = addMesh(doc, name, objectToGltf(o.mesh.positions), normals, o.mesh.colors, o.mesh.indices, material);
    const trs = layoutToGltfNode(o.layout);
    scene.addChild(
      doc.createNode(name).setMesh(gm).setTranslation(trs.translation).setRotation(trs.rotation).setScale(trs.scale),
    );
  }
  doc.getRoot().setDefaultScene(scene);
  return documentToGlb(doc);
}

/**
 * Names of the objects of one file by the naming rule (names.ts `objectName`), unique for artists to pick
 * them in Blender's outliner: a second `cup` becomes `cup-2`, as its file would.
 */
function uniqueObjectNames(): (raw: string) => string {
  const used = new Set<string>();
  return (raw) => {
    const base = objectName(raw);
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    used.add(name.toLowerCase());
    return name;
  };
}

/**
 * A scene GLB as stored (a scene run's result), written again with every object's mesh simplified to at
 * most `targetTriangles` (colours kept) and its objects named by `rename` (stored node name and position
 * → the name to give; the naming rule applies). Everything else stays as it was: each node's transform
 * (so every object is placed as in the stored scene), the photo camera, the material, the generation
 * parameters.
 */
export async function rewriteSceneGlb(
  bytes: Uint8Array,
  opts: { targetTriangles?: number; rename?: (stored: string, index: number) => string } = {},
): Promise<Uint8Array> {
  let doc;
  try {
    doc = await new NodeIO().readBinary(bytes);
  } catch (e) {
    throw new ExportInputError(`The stored scene is not a readable GLB (${(e as Error).message}).`);
  }
  const nodeName = uniqueObjectNames();
  const meshNodes = doc.getRoot().listNodes().filter((n) => n.getMesh());
  if (meshNodes.length === 0) throw new ExportInputError('The stored scene GLB has no mesh.');
  const buffer = doc.getRoot().listBuffers()[0];
  for (const [i, node] of meshNodes.entries()) {
    const name = nodeName(opts.rename ? opts.rename(node.getName(), i) : node.getName());
    node.setName(name);
    const gm = node.getMesh()!.setName(name);
    if (opts.targetTriangles === undefined) continue;
    for (const prim of gm.listPrimitives()) {
      const pos = prim.getAttribute('POSITION');
      const idx = prim.getIndices();
      if (!pos || !idx) throw new ExportInputError(`The stored scene's object "${name}" has no indexed triangles.`);
      // The simplifier weighs colours as Mesh carries them (sRGB); axes do not matter to it (glTF's stay).
      const V = pos.getCount();
      const positions = new Float32Array(3 * V);
      const colors = new Float32Array(3 * V).fill(0.7);
      const col = prim.getAttribute('COLOR_0');
      const el: number[] = [];
      for (let v = 0; v < V; v++) {
        positions.set(pos.getElement(v, el), 3 * v);
        if (col) for (let a = 0, c = col.getElement(v, el); a < 3; a++) colors[3 * v + a] = linearToSrgb(c[a]);   // RGB of RGB(A)
      }
      const input = { positions, colors, indices: Uint32Array.from(idx.getArray() as ArrayLike<number>) };
      const small = await simplifyMesh(input, opts.targetTriangles);
      if (small === input) continue;   // already under the target: the stored primitive stays as it is
      const normals = small.normals ?? computeVertexNormals(small.positions, small.indices);
      prim
        .setAttribute('POSITION', doc.createAccessor(`${name} positions`).setType('VEC3').setArray(small.positions).setBuffer(buffer))
        .setAttribute('NORMAL', doc.createAccessor(`${name} normals`).setType('VEC3').setArray(normals).setBuffer(buffer))
        .setAttribute('COLOR_0', doc.createAccessor(`${name} colours`).setType('VEC3').setArray(srgbArrayToLinear(small.colors)).setBuffer(buffer))
        .setIndices(doc.createAccessor(`${name} indices`).setType('SCALAR').setArray(small.indices).setBuffer(buffer));
    }
  }
  // The replaced accessors go, so the file holds the simplified meshes only.
  for (const a of doc.getRoot().listAccessors()) if (a.listParents().length <= 1) a.dispose();
  return documentToGlb(doc);
}

export async function writeSceneGlb(
  file: string,
  objects: SceneObject[],
  camera: CameraInfo,
  extras?: Record<string, unknown>,
): Promise<number> {
  return writeFileAtomic(file, await sceneGlbBytes(objects, camera, extras));
}
