/**
 * Spectral-aware token aggregation (module 3): choose a factor S from the 2-D / 3-D high-frequency
 * ratios and shrink the occupied voxel set towards its bounding-box centre by S before SLaT and the
 * decoders. Behaviour of the public code: ../shared/reference/fastsam3d-spec.md §5.3-5.4; the offset
 * fix is ours (derivation in docs/accelerations.md).
 */
import { roundHalfEven } from './rounding';
import type { AggregationResult, Rng } from './types';

/** Voxel-count guards at 64³, scaled by (R/64)³ for other grids. */
export const MAX_VOXELS_64 = 42_000;
export const MIN_VOXELS_64 = 2_048;

export interface FactorParams {
  meshTauLow: number;
  meshTauHigh: number;
  meshSpectralWeight2d: number;
}

/** Joint spectral score: w·HFER_2D + (1 − w)·HFER_3D. */
export function aggregationScore(hfer2dValue: number, hfer3dValue: number, w2d: number): number {
  return w2d * hfer2dValue + (1 - w2d) * hfer3dValue;
}

/**
 * Aggregation factor S: 1.25 if score ≥ τ_high, 1.5 if score > τ_low, else 2; 1 when either HFER is 0.
 * Then the voxel-count guards: N ≥ 42000·(R/64)³ → 2, N < 2048·(R/64)³ → 1 (applied last, so the
 * small-N guard wins).
 */
export function chooseAggregationFactor(
  hfer2dValue: number, hfer3dValue: number, numVoxels: number, resolution: number, params: FactorParams,
): number {
  if (params.meshTauLow > params.meshTauHigh) {
    throw new Error(`meshTauLow (${params.meshTauLow}) must not exceed meshTauHigh (${params.meshTauHigh}).`);
  }
  let s: number;
  if (hfer2dValue === 0 || hfer3dValue === 0) {
    s = 1;
  } else {
    const score = aggregationScore(hfer2dValue, hfer3dValue, params.meshSpectralWeight2d);
    s = score >= params.meshTauHigh ? 1.25 : score > params.meshTauLow ? 1.5 : 2;
  }
  return guardFactor(numVoxels, resolution) ?? s;
}

/**
 * The factor the voxel-count guards impose regardless of the spectral score: 1 when N < 2048·(R/64)³
 * (wins), 2 when N ≥ 42000·(R/64)³, else null. Callers can test this first and skip both HFER
 * computations when it decides S (chooseAggregationFactor gives the same S for any HFER values).
 */
export function guardFactor(numVoxels: number, resolution: number): 1 | 2 | null {
  const scale = (resolution / 64) ** 3;
  if (numVoxels < MIN_VOXELS_64 * scale) return 1;
  if (numVoxels >= MAX_VOXELS_64 * scale) return 2;
  return null;
}

export interface AggregateOptions {
  /** Compute the object-frame offset that makes posed outputs coincide (meshFixOffset). */
  fixOffset: boolean;
  /** Cap on the output count (SAM 3D: 42000); a random subset drawn with `rng` is kept beyond it. */
  maxVoxels?: number;
  rng?: Rng;
}

/** Object-frame centre of the coordinate bbox along each axis (voxel centres at (i+0.5)/R − 0.5). */
function bboxCentre(coords: Int32Array, resolution: number): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    let lo = Infinity, hi = -Infinity;
    for (let n = a; n < coords.length; n += 3) {
      if (coords[n] < lo) lo = coords[n];
      if (coords[n] > hi) hi = coords[n];
    }
    c[a] = ((lo + hi) / 2 + 0.5) / resolution - 0.5;
  }
  return c;
}

/**
 * Shrink voxel coordinates (N×3, on an R³ grid) towards their bbox centre by `factor`, per axis:
 * size = hi − lo + 1, tsize = size/S, tmin = lo + (size − tsize)/2, tmax = tmin + tsize − 1,
 * p′ = clamp(round½even((p − lo)/(hi − lo)·(tsize − 1) + tmin), trunc(tmin), trunc(tmax)); then
 * de-duplicate (lexicographic order) and fuse the scores of merged voxels by max. An axis with hi == lo
 * keeps its coordinate (the public code divides 0 by 0 there).
 */
export function aggregateCoords(
  coords: Int32Array, scores: Float32Array, factor: number, resolution: number, options: AggregateOptions,
): AggregationResult {
  const n = coords.length / 3;
  if (!Number.isInteger(n)) throw new Error(`aggregateCoords: coords length ${coords.length} is not a multiple of 3 (N×3 [i, j, k]).`);
  if (scores.length !== n) throw new Error(`aggregateCoords: ${scores.length} scores for ${n} voxels; give one score per voxel.`);
  if (!(factor >= 1)) throw new Error(`aggregateCoords: factor ${factor} must be ≥ 1.`);
  const R = resolution;
  for (let k = 0; k < coords.length; k++) {
    if (coords[k] < 0 || coords[k] >= R) {
      throw new Error(`aggregateCoords: coordinate ${coords[k]} of voxel ${Math.floor(k / 3)} is outside the ${R}³ grid.`);
    }
  }
  const shrunk = new Int32Array(coords.length);
  if (factor === 1 || n === 0) {
    shrunk.set(coords);
  } else {
    for (let a = 0; a < 3; a++) {
      let lo = Infinity, hi = -Infinity;
      for (let k = a; k < coords.length; k += 3) {
        if (coords[k] < lo) lo = coords[k];
        if (coords[k] > hi) hi = coords[k];
      }
      const size = hi - lo + 1;
      const tsize = size / factor;
      const tmin = lo + (size - tsize) / 2;
      const tmax = tmin + tsize - 1;
      const cmin = Math.trunc(tmin), cmax = Math.trunc(tmax);
      for (let k = a; k < coords.length; k += 3) {
        if (hi === lo) { shrunk[k] = coords[k]; continue; }
        const p = roundHalfEven(((coords[k] - lo) / (hi - lo)) * (tsize - 1) + tmin);
        shrunk[k] = Math.min(cmax, Math.max(cmin, p));
      }
    }
  }
  // De-duplicate by the lexicographic key (x·R + y)·R + z, max-fusing the scores.
  const best = new Map<number, number>();
  for (let v = 0; v < n; v++) {
    const key = (shrunk[3 * v] * R + shrunk[3 * v + 1]) * R + shrunk[3 * v + 2];
    const prev = best.get(key);
    if (prev === undefined || scores[v] > prev) best.set(key, scores[v]);
  }
  let keys: Float64Array = Float64Array.from(best.keys()).sort();
  if (options.maxVoxels !== undefined && keys.length > options.maxVoxels) {
    if (!options.rng) throw new Error('aggregateCoords: maxVoxels is set but no rng was given to draw the subset.');
    keys = randomSubset(keys, options.maxVoxels, options.rng).sort();
  }
  const out = new Int32Array(keys.length * 3);
  const outScores = new Float32Array(keys.length);
  for (let m = 0; m < keys.length; m++) {
    const key = keys[m];
    out[3 * m] = Math.floor(key / (R * R));
    out[3 * m + 1] = Math.floor(key / R) % R;
    out[3 * m + 2] = key % R;
    outScores[m] = best.get(key) as number;
  }
  let registration: [number, number, number] = [0, 0, 0];
  if (factor !== 1 && n > 0) {
    // Posed output = (s·S)·(p′ + δ)·R + t must match s·p·R + t at the bbox centre: δ = c/S − c′.
    const c = bboxCentre(coords, R);
    const cp = bboxCentre(out, R);
    registration = [c[0] / factor - cp[0], c[1] / factor - cp[1], c[2] / factor - cp[2]];
  }
  const none: [number, number, number] = [0, 0, 0];
  return {
    coords: out, scores: outScores, factorUsed: factor,
    offset: options.fixOffset ? registration : none, unapplied: options.fixOffset ? none : registration,
  };
}

/** `count` distinct entries of `items`, chosen uniformly with a partial Fisher-Yates shuffle. */
function randomSubset(items: Float64Array, count: number, rng: Rng): Float64Array {
  const a = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    const t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return a.slice(0, count);
}
