/**
 * From one object's SS-decoder logits to the voxel set SLaT runs on: occupancy, surface pruning, the
 * voxel guards, and spectral-aware aggregation (whose per-voxel scores also feed token carving).
 */
import type { AccelParams, Method } from '../../../src-shared/params';
import type { AggregationDecidedBy } from '../../../src-shared/report';
import {
  aggregateCoords,
  aggregationFor,
  aggregationScore,
  chooseAggregationFactor,
  guardFactor,
  hfer2d,
  hfer3d,
  slatReadsSpatialScore,
} from '../accel';
import type { AggregationResult, Cutout } from '../accel/types';
import { PipelineInputError } from '../errors';
import type { Manifest } from '../pack/manifest-schema';
import { RNG_STREAMS, rngFunction } from '../rng';
import { gatherRows, occupiedCoords, surfaceRows } from '../sparse/occupancy';

export interface VoxelSet {
  /** Aggregated coordinates (lexicographic) and their spectral scores. */
  agg: AggregationResult;
  voxelsBefore: number;
  /** Whether the method aggregates (RunReport.aggregation.enabled). */
  enabled: boolean;
  /** What set the factor (RunReport.aggregation.decidedBy). */
  decidedBy: AggregationDecidedBy;
  /** The spectral ratios and score the factor was chosen from; 0 when it was not (decidedBy ≠ 'spectral'). */
  hfer2d: number;
  hfer3d: number;
  score: number;
  warnings: string[];
}

export function prepareVoxels(
  logits: Float32Array,
  m: Manifest,
  method: Method,
  params: AccelParams,
  cutout: () => Cutout,
  label: string,
): VoxelSet {
  const R = m.grid.resolution;
  const warnings: string[] = [];
  const occupied = occupiedCoords(logits, R, m.ss.occupancyThreshold);
  if (occupied.length === 0) {
    throw new PipelineInputError(
      'TOO_FEW_VOXELS',
      `${label}: the model found no occupied voxel; check that the mask outlines one object, or try another seed.`,
    );
  }
  const keepRows = surfaceRows(occupied, R, m.ss.pruneSurfaceDistance);
  const coords = gatherRows(occupied, 3, keepRows);
  const voxelsBefore = coords.length / 3;
  if (voxelsBefore < m.ss.minVoxels) {
    warnings.push(
      `Only ${voxelsBefore} voxels (the pack expects at least ${m.ss.minVoxels}); the mesh may be fragmentary.`,
    );
  }

  // The 3-D spectrum serves aggregation (HFER-3D) and saliency carving (the per-voxel score, its inverse
  // FFT). Skip what nothing reads: the ratios when the voxel-count guards or a fixed factor decide S
  // (chooseAggregationFactor then returns the same S for any HFER), the score when carving ignores it.
  const decision = aggregationFor(method, params);
  const needRatios = decision.enabled && !decision.fixedFactor && guardFactor(voxelsBefore, R) === null;
  const needScore = slatReadsSpatialScore(method, params);
  const h3 =
    needRatios || needScore ? hfer3d(logits, R, m.ss.occupancyThreshold, { voxelScore: needScore }) : null;
  const scores = needScore && h3 ? gatherRows(h3.voxelScore, 1, keepRows) : new Float32Array(keepRows.length);
  const h2 = needRatios ? hfer2d(cutout()) : 0;
  const h3v = h3?.hfer ?? 0;
  let factor = decision.enabled
    ? (decision.fixedFactor ?? chooseAggregationFactor(h2, h3v, voxelsBefore, R, decision))
    : 1;
  let decidedBy: AggregationDecidedBy = !decision.enabled ? 'off' : decision.fixedFactor ? 'fixed' : needRatios ? 'spectral' : 'voxelGuard';
  // Over the pack's cap, halve the grid first (scale × 2), as SAM 3D's downsample_sparse_structure does:
  // a random subset alone would leave holes in the surface.
  if (voxelsBefore > m.ss.maxVoxels && factor < 2) {
    factor = 2;
    decidedBy = 'voxelCap';
    warnings.push(
      `${voxelsBefore} voxels exceed the pack's limit of ${m.ss.maxVoxels}; the voxel grid was halved (S = 2).`,
    );
  }
  const agg = aggregateCoords(coords, scores, factor, R, {
    fixOffset: decision.fixOffset,
    maxVoxels: m.ss.maxVoxels,
    rng: rngFunction(params.seed, RNG_STREAMS.voxelCap),
  });
  if (agg.coords.length / 3 === m.ss.maxVoxels && voxelsBefore > m.ss.maxVoxels) {
    warnings.push(`Still over the limit of ${m.ss.maxVoxels} voxels after S = ${factor}; a random subset was kept.`);
  }
  return {
    agg,
    voxelsBefore,
    enabled: decision.enabled,
    decidedBy,
    // The HFER-3D that carving alone measured is no aggregation score: reported only where S came from it.
    hfer2d: decidedBy === 'spectral' ? h2 : 0,
    hfer3d: decidedBy === 'spectral' ? h3v : 0,
    score: decidedBy === 'spectral' ? aggregationScore(h2, h3v, params.meshSpectralWeight2d) : 0,
    warnings,
  };
}
