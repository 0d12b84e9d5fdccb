/** Quality metrics (docs/metrics.md): shape in the object frame, layout in the camera frame. */
export * from './geometry';
export * from './layout-error';
export * from './box-iou';
export { sampleSurface, boundingBox } from './surface-sample';
export { voxelizeSolid, occupancyIoU } from './voxelize';
export { KdTree, nearestDistances } from './kdtree';
export { canonicalShape, type CanonicalShape } from './canonical';
export { psnr, ssim, PSNR_CAP_DB, type RgbImage } from './image-quality';
export { renderedViewMetrics, renderViews, METRIC_VIEWS, type RenderedViewMetrics } from './rendered-views';
export { rasterizeMesh, fitFrame, type ViewAngles, type ScreenFrame } from './rasterise';
