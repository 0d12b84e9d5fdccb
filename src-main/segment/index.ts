export { segmentApi } from './handlers';
export type { SegmentApi } from './handlers';
export type { SegmentServiceOptions } from './service';
export { imageResolver } from './images';
export { scanSegPacks } from './discover';
export { SEG_PACK_FORMAT, SegManifestSchema } from './manifest';
