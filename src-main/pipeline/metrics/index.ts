/** Quality metrics (docs/metrics.md): shape in the object frame, layout in the camera frame. */
export * from './geometry';
export * from './layout-error';
export * from './box-iou';
export { sampleSurface, boundingBox } from './surface-sample';
export { voxelizeSolid, occupancyIoU } from './voxelize';
export { KdTree, nearestDistances } from './kdtree';
export { canonicalShape, type CanonicalShape } from './canonical';
