/**
 * Scene GLB: one node per object, named after its mask, carrying its layout as the node transform (the
 * mesh itself stays in its own object frame, in glTF axes), plus a perspective camera at the origin
 * looking down −Z with the photo's field of view — so the objects line up with the photo through it.
 */
import { photoCamera as pipelinePhotoCamera } from '../pipeline/camera';
import type { CameraInfo, Layout, Mesh } from '../pipeline/types';
import { writeFileAtomic } from './atomic-write';
import { layoutToGltfNode, objectToGltf } from './frames';
import { addMesh, documentToGlb, newDocument, vertexColourMaterial } from './gltf-document';
import { assertExportableMesh, ExportInputError } from './mesh-input';

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
  const scene = doc.createScene(sceneName);
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
  const used = new Map<string, number>();
  for (const o of objects) {
    // Node names must be unique for artists to pick them in Blender's outliner.
    const n = used.get(o.name) ?? 0;
    used.set(o.name, n + 1);
    const name = n === 0 ? o.name : `${o.name}.${n}`;
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

export async function writeSceneGlb(
  file: string,
  objects: SceneObject[],
  camera: CameraInfo,
  extras?: Record<string, unknown>,
): Promise<number> {
  return writeFileAtomic(file, await sceneGlbBytes(objects, camera, extras));
}
