export { SegmentService } from './service';
export type { SegmentServiceOptions } from './service';
export { segmentHandlers } from './handlers';
export { imageResolver } from './images';
export { openSegPack } from './seg-pack';
export { scanSegPacks } from './discover';
export { SEG_PACK_FORMAT, SegManifestSchema } from './manifest';
