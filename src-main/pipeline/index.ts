/**
 * The pipeline's public entry: pack loading, inputs, runs. Pure TypeScript + onnxruntime-node; imports
 * neither Electron nor React (the worker, the CLI and the benchmark all use it).
 */
export { openPack, validatePack, PACK_FORMAT, ROLES } from './pack';
export type { Pack, OpenPackOptions, ValidationResult, Manifest, Role } from './pack';
export {
  loadContextMasks,
  loadImageFile,
  loadMaskFile,
  maskFromAlpha,
  conformMask,
  readSam3dFolder,
  maskAt,
  isSam3dFolder,
  MAX_IMAGE_SIDE,
} from './image';
export type { BinaryMask, DecodedImage, ImageSource, Sam3dFolder } from './image';
export { runObject, runScene } from './run';
export type { ObjectInput, ObjectResult, RunOptions, SceneResult } from './run';
export { resolveRunParams } from './params-resolve';
export type { ProgressEvent, ProgressCallback } from './progress';
export { PipelineInputError, PackError, AbortError } from './errors';
export type { InputErrorCode } from './errors';
export { Rng, RNG_STREAMS } from './rng';
export { decodeLayout, rotationFrom6d, quaternionOf } from './layout';
export type { Mesh, Layout, CameraInfo, StageOracle } from './types';
