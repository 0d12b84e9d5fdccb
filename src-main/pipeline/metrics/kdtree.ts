/**
 * Static 3D k-d tree over a point set, for the nearest-neighbour queries of Chamfer distance, F1 and
 * colour matching (20,000 × 20,000 points: brute force would be 4·10⁸ distances per direction).
 */
export class KdTree {
  private readonly order: Uint32Array;
  /** Split axis per node of the implicit tree over `order` (index = middle of the node's range). */
  private readonly axis: Uint8Array;

  constructor(private readonly points: Float32Array) {
    const n = points.length / 3;
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.axis = new Uint8Array(n);
    this.build(0, n);
  }

  get size(): number {
    return this.order.length;
  }

  private build(lo: number, hi: number): void {
    if (hi - lo <= 1) return;
    const p = this.points;
    const o = this.order;
    let min0 = Infinity, min1 = Infinity, min2 = Infinity, max0 = -Infinity, max1 = -Infinity, max2 = -Infinity;
    for (let i = lo; i < hi; i++) {
      const b = o[i] * 3;
      const x = p[b], y = p[b + 1], z = p[b + 2];
      if (x < min0) min0 = x; if (x > max0) max0 = x;
      if (y < min1) min1 = y; if (y > max1) max1 = y;
      if (z < min2) min2 = z; if (z > max2) max2 = z;
    }
    const ex = max0 - min0, ey = max1 - min1, ez = max2 - min2;
    const ax = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
    const mid = (lo + hi) >> 1;
    this.select(lo, hi - 1, mid, ax);
    this.axis[mid] = ax;
    this.build(lo, mid);
    this.build(mid + 1, hi);
  }

  /** Quickselect so that order[k] holds the median along `ax` of order[lo..hi]. */
  private select(lo: number, hi: number, k: number, ax: number): void {
    const p = this.points;
    const o = this.order;
    while (hi > lo) {
      const pivot = p[o[(lo + hi) >> 1] * 3 + ax];
      let i = lo, j = hi;
      while (i <= j) {
        while (p[o[i] * 3 + ax] < pivot) i++;
        while (p[o[j] * 3 + ax] > pivot) j--;
        if (i <= j) {
          const t = o[i]; o[i] = o[j]; o[j] = t;
          i++; j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return;
    }
  }

  /** Index and squared distance of the point nearest to (x, y, z). */
  nearest(x: number, y: number, z: number): { index: number; dist2: number } {
    const best = { index: -1, dist2: Infinity };
    this.search(0, this.order.length, x, y, z, best);
    return best;
  }

  private search(lo: number, hi: number, x: number, y: number, z: number, best: { index: number; dist2: number }): void {
    if (hi <= lo) return;
    const mid = (lo + hi) >> 1;
    const idx = this.order[mid];
    const b = idx * 3;
    const p = this.points;
    const dx = p[b] - x, dy = p[b + 1] - y, dz = p[b + 2] - z;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < best.dist2) {
      best.dist2 = d2;
      best.index = idx;
    }
    if (hi - lo === 1) return;
    const ax = this.axis[mid];
    const diff = (ax === 0 ? x : ax === 1 ? y : z) - p[b + ax];
    const [nearLo, nearHi, farLo, farHi] = diff < 0 ? [lo, mid, mid + 1, hi] : [mid + 1, hi, lo, mid];
    this.search(nearLo, nearHi, x, y, z, best);
    if (diff * diff < best.dist2) this.search(farLo, farHi, x, y, z, best);
  }
}

/** For every query point, the Euclidean distance to the nearest point of `tree` (and its index). */
export function nearestDistances(query: Float32Array, tree: KdTree): { dist: Float64Array; index: Uint32Array } {
  const n = query.length / 3;
  const dist = new Float64Array(n);
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = tree.nearest(query[3 * i], query[3 * i + 1], query[3 * i + 2]);
    dist[i] = Math.sqrt(r.dist2);
    index[i] = r.index;
  }
  return { dist, index };
}
