/**
 * Spatio-temporal token carving of the SLaT stage (module 2, spatial part): on a full step, choose the
 * tokens that are NOT sent to the network. Saliency per token (all terms min-max normalised,
 * (x − min)/(max − min + 1e-6); norms are L2 over channels):
 *   J = w·Ŝ_freq + (1 − w)·(0.7·Â + 0.3·M̂),  M = |v_prev|,  A = |v_prev − v_prev at the previous selection|
 * (A = 0 at the first selection). The ratio·N lowest-J tokens are carved (ties by index); a token carved
 * at `staleLimit` consecutive selections is recomputed instead (not replaced by another one).
 */
import type { Rng } from './types';

export const ACCELERATION_WEIGHT = 0.7;

export interface CarvingOptions {
  ratio: number;
  spatialWeight: number;
  staleLimit: number;
  /** 'saliency' = the rule above; 'random' = the random-drop baseline (seeded, no stale rule). */
  selection: 'saliency' | 'random';
}

function rowNorms(v: Float32Array, rows: number, channels: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += v[r * channels + c] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** (x − min)/(max − min + 1e-6), in place. */
export function minMaxNormalise(x: Float64Array): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  for (let n = 0; n < x.length; n++) x[n] = (x[n] - lo) / (hi - lo + 1e-6);
  return x;
}

export class TokenCarver {
  private readonly streak: Int32Array;
  private prevPredV: Float32Array | null = null;

  constructor(
    private readonly numTokens: number,
    private readonly channels: number,
    private readonly options: CarvingOptions,
    private readonly spatialScore: Float32Array | undefined,
    private readonly rng: Rng,
  ) {
    if (!(options.ratio >= 0 && options.ratio < 1)) throw new Error(`slatCarvingRatio ${options.ratio} must be in [0, 1).`);
    if (!(options.spatialWeight >= 0 && options.spatialWeight <= 1)) throw new Error(`slatSpatialWeight ${options.spatialWeight} must be in [0, 1].`);
    if (!Number.isInteger(options.staleLimit) || options.staleLimit < 1) throw new Error(`slatStaleLimit ${options.staleLimit} must be an integer ≥ 1.`);
    if (spatialScore && spatialScore.length !== numTokens) {
      throw new Error(`Spatial score has ${spatialScore.length} values for ${numTokens} SLaT tokens; pass the scores returned by aggregateCoords.`);
    }
    this.streak = new Int32Array(numTokens);
  }

  /** Number of tokens the ratio asks to carve. */
  get budget(): number {
    return Math.floor(this.options.ratio * this.numTokens);
  }

  /**
   * Select the rows to evaluate given the velocity used at the previous step. Returns ascending row
   * indices (possibly all rows when the stale rule recomputes every candidate).
   */
  select(predV: Float32Array): Int32Array {
    const N = this.numTokens;
    const carve = new Uint8Array(N);
    if (this.options.selection === 'random') {
      const idx = Int32Array.from({ length: N }, (_, n) => n);
      for (let n = 0; n < this.budget; n++) {
        const j = n + Math.floor(this.rng() * (N - n));
        const t = idx[n]; idx[n] = idx[j]; idx[j] = t;
        carve[idx[n]] = 1;
      }
    } else {
      const J = this.saliency(predV);
      const order = Array.from({ length: N }, (_, n) => n).sort((a, b) => J[a] - J[b] || a - b);
      for (let n = 0; n < this.budget; n++) {
        const r = order[n];
        // Stale rule: carved at staleLimit consecutive selections → recomputed now.
        if (this.streak[r] < this.options.staleLimit) carve[r] = 1;
      }
      this.prevPredV = Float32Array.from(predV);
    }
    const keep: number[] = [];
    for (let r = 0; r < N; r++) {
      if (carve[r]) this.streak[r] += 1;
      else { this.streak[r] = 0; keep.push(r); }
    }
    return Int32Array.from(keep);
  }

  private saliency(predV: Float32Array): Float64Array {
    const N = this.numTokens, C = this.channels;
    const mag = minMaxNormalise(rowNorms(predV, N, C));
    let acc: Float64Array;
    if (this.prevPredV) {
      const diff = new Float32Array(predV.length);
      for (let n = 0; n < diff.length; n++) diff[n] = predV[n] - this.prevPredV[n];
      acc = minMaxNormalise(rowNorms(diff, N, C));
    } else {
      acc = new Float64Array(N); // A = 0 at the first selection
    }
    const spatial = minMaxNormalise(this.spatialScore ? Float64Array.from(this.spatialScore) : new Float64Array(N));
    const w = this.options.spatialWeight;
    const J = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      J[n] = w * spatial[n] + (1 - w) * (ACCELERATION_WEIGHT * acc[n] + (1 - ACCELERATION_WEIGHT) * mag[n]);
    }
    return J;
  }
}
