/** Fast-SAM3D accelerations: step policies for the samplers and spectral-aware aggregation. Pure, no ORT. */
export * from './types';
export {
  createPolicies, createSsPolicy, createSlatPolicy, aggregationFor, slatReadsSpatialScore, summariseSchedule, UNIFORM_MERGE_FACTOR,
} from './policies';
export { hfer2d, hfer3d, HFER2D_SIZE, HFER2D_RADIUS } from './spectral';
export type { Hfer3dOptions } from './spectral';
export { chooseAggregationFactor, guardFactor, aggregateCoords, aggregationScore, MAX_VOXELS_64, MIN_VOXELS_64 } from './aggregation';
export { roundHalfEven } from './rounding';
export type { AggregateOptions, FactorParams } from './aggregation';
export { TaylorSsPolicy, ResidualSsPolicy, FullSsPolicy } from './ss-policies';
export { AdaptiveSlatPolicy, TaylorSlatPolicy, FullSlatPolicy, CARVING_FIRST_STEP } from './slat-policies';
export { TokenCarver } from './carving';
