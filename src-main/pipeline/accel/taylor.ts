/**
 * Taylor-factor cache shared by the SS modality-aware cache and the TaylorSeer / uniform-skip baselines.
 * On a full step the factors are f0 = v, f(k+1) = (f(k) − f(k)_prev)/Δ, Δ = distance to the previous
 * full step (in step index, or in t); a cached step at distance x predicts Σ f(k)·x^k/k!.
 */
export class TaylorFactors<K extends string> {
  private factors: Map<K, Float32Array[]> | null = null;
  private lastPos = 0;

  /** @param order highest factor kept (0 = reuse the last evaluation, 1 = linear, 2 = quadratic). */
  constructor(private readonly order: number) {
    if (!Number.isInteger(order) || order < 0 || order > 2) throw new Error(`Taylor order ${order} must be 0, 1 or 2.`);
  }

  get hasFactors(): boolean {
    return this.factors !== null;
  }

  /**
   * Store a full evaluation at `pos`. `allowDerivatives` = false keeps only f0 (the public code stops
   * updating differences for steps ≥ steps − warmup + 1).
   */
  update(pos: number, values: Record<K, Float32Array>, allowDerivatives = true): void {
    const next = new Map<K, Float32Array[]>();
    const dn = pos - this.lastPos;
    for (const key of Object.keys(values) as K[]) {
      const f: Float32Array[] = [Float32Array.from(values[key])];
      const prev = this.factors?.get(key);
      if (prev && allowDerivatives && dn !== 0) {
        for (let o = 0; o < this.order && o < prev.length; o++) {
          const cur = f[o];
          const old = prev[o];
          if (old.length !== cur.length) throw new Error(`Velocity "${key}" changed length from ${old.length} to ${cur.length} between steps.`);
          const d = new Float32Array(cur.length);
          for (let n = 0; n < cur.length; n++) d[n] = (cur[n] - old[n]) / dn;
          f.push(d);
        }
      }
      next.set(key, f);
    }
    this.factors = next;
    this.lastPos = pos;
  }

  /** Last full evaluation of `key` (f0). */
  anchor(key: K): Float32Array {
    const f = this.factors?.get(key);
    if (!f) throw new Error(`No full evaluation of "${key}" recorded yet; the first step must be evaluated in full.`);
    return f[0];
  }

  /** Extrapolate `key` to `pos` (a fresh array). */
  predict(key: K, pos: number): Float32Array {
    const f = this.factors?.get(key);
    if (!f) throw new Error(`No full evaluation of "${key}" recorded yet; the first step must be evaluated in full.`);
    const x = pos - this.lastPos;
    const out = Float32Array.from(f[0]);
    let coef = 1;
    for (let o = 1; o < f.length; o++) {
      coef *= x / o; // x^o / o!
      const fo = f[o];
      for (let n = 0; n < out.length; n++) out[n] += coef * fo[n];
    }
    return out;
  }
}

/**
 * Stride schedule of the public code: full if i < warmup, or counter == stride − 1, or i ≥ steps − 1
 * (plus optional forced steps); counter = 0 on full, else counter + 1. Decisions are memoised per step so
 * asking twice for the same step does not advance the counter.
 */
export class StrideSchedule {
  private counter = 0;
  private decided = new Map<number, boolean>();
  private lastDecided = -1;

  constructor(
    private readonly steps: number,
    private readonly warmup: number,
    private readonly stride: number,
    private readonly forceFull: (i: number) => boolean = () => false,
  ) {
    if (!Number.isInteger(stride) || stride < 1) throw new Error(`Cache stride ${stride} must be an integer ≥ 1.`);
    if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`Warm-up ${warmup} must be an integer ≥ 0.`);
    if (warmup === 0 && stride >= 2) {
      throw new Error(`Warm-up 0 with cache stride ${stride} would cache step 0 before anything was evaluated; set the warm-up (ssWarmup, --ss-warmup) to at least 1.`);
    }
  }

  isFull(i: number): boolean {
    const known = this.decided.get(i);
    if (known !== undefined) return known;
    if (i !== this.lastDecided + 1) {
      throw new Error(`Steps must be taken in order: asked for step ${i} after step ${this.lastDecided}.`);
    }
    const full = i < this.warmup || this.counter === this.stride - 1 || i >= this.steps - 1 || this.forceFull(i);
    this.counter = full ? 0 : this.counter + 1;
    this.decided.set(i, full);
    this.lastDecided = i;
    return full;
  }
}

/** Pattern char bookkeeping: one char per step, written once. */
export class PatternLog {
  private chars: string[] = [];
  set(i: number, ch: string): void {
    this.chars[i] = ch;
  }
  get(i: number): string | undefined {
    return this.chars[i];
  }
  toString(): string {
    return Array.from(this.chars, (c) => c ?? '?').join('');
  }
}
