/**
 * Which side of the surface the grid corners that no voxel covers lie on.
 *
 * The fine voxels are a shell (the SS stage keeps only occupied voxels next to empty ones, then each is
 * subdivided), so the decoder's SDF is only known inside the shell. TRELLIS counts every uncovered
 * corner as outside; with a solid object that puts a second, inward-facing wall at the shell's inner
 * boundary, where the decoded SDF is still negative. Here the uncovered space is split into connected
 * regions instead: the region connected to the outside of the grid is outside; every enclosed region
 * takes the majority sign of the decoded SDF on the covered corners bordering it (negative for the
 * pruned interior of a solid, positive for a real cavity).
 *
 * Regions are found on blocks of b³ voxels (b = 4, 2 or 1, the largest for which every block is either
 * fully covered or empty — for subdivided parents b = 4, so a 256³ grid needs only a 64³ flood fill),
 * flooding across faces, edges and corners (26-neighbourhood): then an uncovered corner's surrounding
 * uncovered blocks always belong to one region, so every corner gets one consistent sign.
 */

const COVERED = -1;
/** Largest padded block grid flooded (2^25 cells = 128 MiB per Int32 array). */
const MAX_BLOCKS = 1 << 25;

export class UncoveredRegions {
  /** Number of regions; region 0 is the outside. */
  readonly count: number;

  private constructor(
    private readonly b: number,
    /** Blocks per axis including one padding layer on each side. */
    private readonly n: number,
    /** Region per padded block, or COVERED. */
    private readonly region: Int32Array,
    count: number,
  ) {
    this.count = count;
  }

  static build(coords: Int32Array, R: number): UncoveredRegions {
    const M = coords.length / 3;
    for (const b of [4, 2, 1]) {
      if (R % b !== 0) continue;
      const nb = R / b;
      const n = nb + 2;
      if (n * n * n > MAX_BLOCKS) {
        // A fine-level flood fill of a huge unaligned grid would take gigabytes: fall back to TRELLIS's rule
        // (everything uncovered is outside).
        if (b === 1) return new UncoveredRegions(b, 0, new Int32Array(0), 1);
        continue;
      }
      const fill = new Int32Array(n * n * n);
      for (let v = 0; v < M; v++) {
        const bi = Math.floor(coords[3 * v] / b) + 1,
          bj = Math.floor(coords[3 * v + 1] / b) + 1,
          bk = Math.floor(coords[3 * v + 2] / b) + 1;
        fill[(bi * n + bj) * n + bk]++;
      }
      const full = b * b * b;
      let aligned = true;
      for (let i = 0; i < fill.length && aligned; i++) if (fill[i] !== 0 && fill[i] !== full) aligned = false;
      if (!aligned && b > 1) continue;

      const region = new Int32Array(n * n * n).fill(-2); // −2 = not yet labelled
      for (let i = 0; i < fill.length; i++) if (fill[i] > 0) region[i] = COVERED;
      const count = flood(region, n);
      return new UncoveredRegions(b, n, region, count);
    }
    throw new Error('unreachable: block size 1 always works');
  }

  /**
   * Region of the uncovered corner (i, j, k): the region of any uncovered block among the voxels that
   * share the corner (all such blocks are 26-adjacent, hence in one region); outside the grid → 0.
   */
  regionOfCorner(i: number, j: number, k: number): number {
    const { b, n } = this;
    for (let c = 0; c < 8; c++) {
      const vi = i - (c & 1),
        vj = j - ((c >> 1) & 1),
        vk = k - (c >> 2);
      const bi = Math.floor(vi / b) + 1,
        bj = Math.floor(vj / b) + 1,
        bk = Math.floor(vk / b) + 1;
      if (bi < 0 || bj < 0 || bk < 0 || bi >= n || bj >= n || bk >= n) return 0;
      const r = this.region[(bi * n + bj) * n + bk];
      if (r !== COVERED) return r;
    }
    // Every voxel around the corner is in a covered block: only with partially covered blocks, which the
    // block size choice rules out.
    return 0;
  }
}

/** Labels the uncovered blocks (−2) by 26-connected region, starting with the padding (region 0). */
function flood(region: Int32Array, n: number): number {
  const queue = new Int32Array(region.length);
  let next = 0;
  const start = (seed: number) => {
    let head = 0,
      tail = 0;
    region[seed] = next;
    queue[tail++] = seed;
    while (head < tail) {
      const cell = queue[head++];
      const i = Math.floor(cell / (n * n)),
        j = Math.floor(cell / n) % n,
        k = cell % n;
      for (let di = -1; di <= 1; di++) {
        const a = i + di;
        if (a < 0 || a >= n) continue;
        for (let dj = -1; dj <= 1; dj++) {
          const bb = j + dj;
          if (bb < 0 || bb >= n) continue;
          for (let dk = -1; dk <= 1; dk++) {
            const c = k + dk;
            if (c < 0 || c >= n) continue;
            const q = (a * n + bb) * n + c;
            if (region[q] === -2) {
              region[q] = next;
              queue[tail++] = q;
            }
          }
        }
      }
    }
    next++;
  };
  start(0); // the padding corner: outside
  for (let cell = 0; cell < region.length; cell++) if (region[cell] === -2) start(cell);
  return next;
}
