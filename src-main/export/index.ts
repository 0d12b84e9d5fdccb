/** Export for Blender and other tools: GLB / OBJ / PLY writers, scene GLB, simplification, posing. */
export { ExportWriteError, writeFileAtomic } from './atomic-write';
export { ExportInputError } from './mesh-input';
export { cameraToGltf, layoutToGltfNode, objectToGltf, poseMesh } from './frames';
export { glbBytes, writeGlb, meshInGltfAxes, type MeshExportOptions } from './glb';
export { objTexts, writeObj } from './obj';
export { plyBytes, writePly } from './ply';
export { gaussianPlyBytes, writeGaussianPly, type GaussianCloud } from './gaussian-ply';
export { photoCamera, rewriteSceneGlb, sceneGlbBytes, writeSceneGlb, type SceneObject } from './scene';
export { nonManifoldEdges, simplifyMesh, withoutCoincidentTriangles } from './simplify';
export { glbMeshNodeNames, readGlb, type ReadGlb } from './read-glb';
export { fileBaseName, joinedFileBaseName, uniqueOutputNames } from './names';
export {
  commitFiles,
  outputFolderError,
  renderOutputs,
  writeOutputs,
  writeSceneOutputs,
  type ExportFormat,
  type ObjectOutput,
  type OutputOptions,
  type PendingOutput,
  type WrittenFile,
} from './write-outputs';
