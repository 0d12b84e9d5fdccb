/**
 * Adaptive step caching of the SLaT stage (the public code's Euler_end_slat; EasyCache-style residual
 * reuse), independent of carving so the EasyCache baseline can reuse it on both stages.
 *
 * State: prevX, prevPrevX, prevV, k, err, residual. Step i is full if i < max(warmup, 3) or the state is
 * incomplete; otherwise err += k·mean|x − prevX| / (mean|prevV| + 1e-6) and the step is cached while
 * err < thresh (then full, err = 0). A cached step uses v = x + residual.
 */
export const SLAT_MIN_WARMUP = 3;

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let n = 0; n < a.length; n++) s += Math.abs(a[n] - b[n]);
  return s / a.length;
}

function meanAbs(a: Float32Array): number {
  let s = 0;
  for (let n = 0; n < a.length; n++) s += Math.abs(a[n]);
  return s / a.length;
}

export class ResidualCache {
  private prevX: Float32Array | null = null;
  private prevPrevX: Float32Array | null = null;
  private prevV: Float32Array | null = null;
  private residual: Float32Array | null = null;
  private k: number | null = null;
  private err = 0;
  private readonly warmup: number;

  constructor(private readonly thresh: number, warmup: number) {
    if (!(thresh >= 0)) throw new Error(`Cache threshold ${thresh} must be ≥ 0 (0 disables step caching).`);
    this.warmup = Math.max(warmup, SLAT_MIN_WARMUP);
  }

  /** The velocity used at the previous step (full or cached); null before the first step. */
  get previousVelocity(): Float32Array | null {
    return this.prevV;
  }

  /** True = evaluate step i in full; false = reuse (call `reuse`). */
  decide(i: number, x: Float32Array): boolean {
    let full = true;
    if (this.thresh > 0 && i >= this.warmup && this.prevX && this.prevV && this.prevPrevX && this.k !== null) {
      this.err += (this.k * meanAbsDiff(x, this.prevX)) / (meanAbs(this.prevV) + 1e-6);
      full = !(this.err < this.thresh);
    }
    if (full) this.err = 0;
    return full;
  }

  /** Bookkeeping after a full step with the (scattered, complete) velocity v. */
  recordFull(x: Float32Array, v: Float32Array): void {
    if (this.prevV && this.prevX && this.prevPrevX) {
      const kCur = meanAbsDiff(v, this.prevV) / (meanAbsDiff(this.prevX, this.prevPrevX) + 1e-8);
      this.k = this.k === null ? kCur : 0.7 * this.k + 0.3 * kCur;
    }
    if (this.prevX) this.prevPrevX = this.prevX;
    this.prevX = Float32Array.from(x);
    this.prevV = Float32Array.from(v);
    const r = new Float32Array(v.length);
    for (let n = 0; n < v.length; n++) r[n] = v[n] - x[n];
    this.residual = r;
  }

  /** Cached step: v = x + residual (a fresh array); updates prevX and prevV. */
  reuse(x: Float32Array): Float32Array {
    if (!this.residual) throw new Error('Residual cache: no full step recorded yet; the first steps must be evaluated.');
    const v = new Float32Array(x.length);
    for (let n = 0; n < x.length; n++) v[n] = x[n] + this.residual[n];
    this.prevX = Float32Array.from(x);
    this.prevV = Float32Array.from(v);
    return v;
  }
}
