export { loadContextMasks, loadImageFile, loadMaskFile, maskFromAlpha, MAX_IMAGE_SIDE } from './decode';
export type { ImageSource } from './decode';
export { conformMask, maskBBox } from './mask-checks';
export { conditionInputs, objectCutout, cropWindow, fullFrameWindow } from './preprocess';
export type { ConditionInputs } from './preprocess';
export { readSam3dFolder, maskAt, maskOfIndex, isSam3dFolder } from './sam3d-folder';
export type { Sam3dFolder, Sam3dMask } from './sam3d-folder';
export { resizeBilinearAA, resizeNearest } from './resize';
export type { BinaryMask, DecodedImage } from './types';
