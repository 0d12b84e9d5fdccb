/**
 * Sparse tables passed to the sparse networks (docs/model-pack.md, "Sparse tables"): neighbour maps,
 * coarse pooling, swin windows, subdivision. Absent entries hold the sentinel = row count of the list
 * the table indexes (the network appends a zero row there).
 */
import { buildLookup } from './lookup-grid';

/** Neighbour map (N×27): nbr[n, kd·9+kh·3+kw] = row of coords[n] + (kd−1, kh−1, kw−1), or N. */
export function neighbourMap(coords: Int32Array, resolution: number): Int32Array {
  const n = coords.length / 3;
  const r = resolution;
  const out = new Int32Array(n * 27);
  const lookup = buildLookup(coords, r);
  // Flat index deltas of the 27 offsets, for voxels away from the border (no bounds checks needed).
  const delta = new Int32Array(27);
  for (let o = 0; o < 27; o++)
    delta[o] = ((Math.floor(o / 9) - 1) * r + ((Math.floor(o / 3) % 3) - 1)) * r + ((o % 3) - 1);
  const g = lookup.dense;
  try {
    for (let row = 0; row < n; row++) {
      const i = coords[3 * row],
        j = coords[3 * row + 1],
        k = coords[3 * row + 2];
      const o0 = row * 27;
      if (g && i > 0 && j > 0 && k > 0 && i < r - 1 && j < r - 1 && k < r - 1) {
        const base = (i * r + j) * r + k;
        for (let o = 0; o < 27; o++) {
          const hit = g[base + delta[o]];
          out[o0 + o] = hit < 0 ? n : hit;
        }
        continue;
      }
      let o = o0;
      for (let di = -1; di <= 1; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          for (let dk = -1; dk <= 1; dk++) {
            const hit = lookup.get(i + di, j + dj, k + dk);
            out[o++] = hit < 0 ? n : hit;
          }
        }
      }
    }
  } finally {
    lookup.release();
  }
  return out;
}

/**
 * Sorted unique values of non-negative keys below `range`, and every key's rank among them: a dense
 * mark-and-scan when the key space is small (O(N + range), the usual case for coarse and window grids),
 * a numeric sort with binary search otherwise.
 */
function uniqueSorted(keys: Int32Array, range: number): { unique: Int32Array; count: number; ranks: Int32Array } {
  const n = keys.length;
  const unique = new Int32Array(n);
  const ranks = new Int32Array(n);
  let count = 0;
  if (range <= 4 * n + (1 << 16)) {
    const rankOf = new Int32Array(range).fill(-1);
    for (let q = 0; q < n; q++) rankOf[keys[q]] = 0;
    for (let key = 0; key < range; key++) {
      if (rankOf[key] === 0) {
        rankOf[key] = count;
        unique[count++] = key;
      }
    }
    for (let q = 0; q < n; q++) ranks[q] = rankOf[keys[q]];
    return { unique, count, ranks };
  }
  const sorted = keys.slice().sort();
  for (let q = 0; q < n; q++) if (q === 0 || sorted[q] !== sorted[q - 1]) unique[count++] = sorted[q];
  for (let q = 0; q < n; q++) {
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < keys[q]) lo = mid + 1;
      else hi = mid;
    }
    ranks[q] = lo;
  }
  return { unique, count, ranks };
}

export interface CoarseTables {
  /** Nc×3 int32 coarse coordinates, lexicographic, unique. */
  coarse: Int32Array;
  /** Nc×8: slot dx·4+dy·2+dz = fine row of child 2·coarse+(dx,dy,dz), or N. */
  children: Int32Array;
  /** Nc×1: 1 / number of present children. */
  invCount: Float32Array;
  /** N: coarse row of every fine voxel. */
  fineToCoarse: Int32Array;
  /** Nc×3 float32 copy of the coarse coordinates. */
  coarseXyz: Float32Array;
}

/** Factor-2 pooling tables of a fine coordinate list on a grid of `resolution`. */
export function coarseTables(coords: Int32Array, resolution: number): CoarseTables {
  const n = coords.length / 3;
  const rc = Math.ceil(resolution / 2);
  // Unique coarse keys by sorting: coarse order must be lexicographic, which the fine order is not.
  const keys = new Int32Array(n);
  for (let q = 0; q < n; q++)
    keys[q] = ((coords[3 * q] >> 1) * rc + (coords[3 * q + 1] >> 1)) * rc + (coords[3 * q + 2] >> 1);
  const { unique: sorted, count: nc, ranks } = uniqueSorted(keys, rc * rc * rc);
  const coarse = new Int32Array(nc * 3);
  const coarseXyz = new Float32Array(nc * 3);
  for (let c = 0; c < nc; c++) {
    const key = sorted[c];
    const i = Math.floor(key / (rc * rc)),
      j = Math.floor(key / rc) % rc,
      k = key % rc;
    coarse[3 * c] = i;
    coarse[3 * c + 1] = j;
    coarse[3 * c + 2] = k;
    coarseXyz[3 * c] = i;
    coarseXyz[3 * c + 1] = j;
    coarseXyz[3 * c + 2] = k;
  }
  const children = new Int32Array(nc * 8).fill(n);
  const counts = new Uint8Array(nc);
  const fineToCoarse = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const lo = ranks[q];
    fineToCoarse[q] = lo;
    const slot = (coords[3 * q] & 1) * 4 + (coords[3 * q + 1] & 1) * 2 + (coords[3 * q + 2] & 1);
    children[lo * 8 + slot] = q;
    counts[lo]++;
  }
  const invCount = new Float32Array(nc);
  for (let c = 0; c < nc; c++) invCount[c] = 1 / counts[c];
  return { coarse, children, invCount, fineToCoarse, coarseXyz };
}

export interface WindowTables {
  /** Wc×Lmax rows of each window's tokens (row order), padded with N. */
  idx: Int32Array;
  /** N: flat position w·Lmax + slot of each token. */
  inv: Int32Array;
  windows: number;
  maxLen: number;
}

/** Swin window tables: window = floor((coord + shift)/size) per axis, windows lexicographic. */
export function windowTables(coords: Int32Array, size: number, shift: number): WindowTables {
  const n = coords.length / 3;
  let maxW = 0;
  for (let q = 0; q < coords.length; q++) maxW = Math.max(maxW, Math.floor((coords[q] + shift) / size));
  const wr = maxW + 1;
  const keys = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    keys[q] =
      (Math.floor((coords[3 * q] + shift) / size) * wr + Math.floor((coords[3 * q + 1] + shift) / size)) * wr +
      Math.floor((coords[3 * q + 2] + shift) / size);
  }
  // Counting sort by window key (stable → tokens stay in row order inside a window).
  const { count: wc, ranks } = uniqueSorted(keys, wr * wr * wr);
  const windowOf = new Int32Array(n);
  const lens = new Int32Array(wc);
  for (let q = 0; q < n; q++) {
    const lo = ranks[q];
    windowOf[q] = lo;
    lens[lo]++;
  }
  let maxLen = 0;
  for (let w = 0; w < wc; w++) maxLen = Math.max(maxLen, lens[w]);
  const idx = new Int32Array(wc * maxLen).fill(n);
  const inv = new Int32Array(n);
  const fill = new Int32Array(wc);
  for (let q = 0; q < n; q++) {
    const w = windowOf[q];
    const pos = w * maxLen + fill[w]++;
    idx[pos] = q;
    inv[q] = pos;
  }
  return { idx, inv, windows: wc, maxLen };
}

/** Children of every voxel, parent-major: child row = parent·8 + (dx·4+dy·2+dz), coord = 2·parent + d. */
export function subdivide(coords: Int32Array): Int32Array {
  const n = coords.length / 3;
  const out = new Int32Array(n * 24);
  for (let p = 0; p < n; p++) {
    const i = 2 * coords[3 * p],
      j = 2 * coords[3 * p + 1],
      k = 2 * coords[3 * p + 2];
    for (let c = 0; c < 8; c++) {
      const o = (p * 8 + c) * 3;
      out[o] = i + (c >> 2);
      out[o + 1] = j + ((c >> 1) & 1);
      out[o + 2] = k + (c & 1);
    }
  }
  return out;
}

/**
 * For child slot d (0..7) of a subdivided voxel and neighbour offset o (0..26): which neighbour of the
 * parent holds the neighbour (offset index 0..26) and which child slot of it. Per axis the child-level
 * position d + o − 1 ∈ {−1, 0, 1, 2} lies in parent offset ⌊(d + o − 1)/2⌋ at child bit (d + o − 1) mod 2.
 */
const CHILD_NEIGHBOUR = (() => {
  const parentOffset = new Int32Array(8 * 27);
  const childSlot = new Int32Array(8 * 27);
  for (let d = 0; d < 8; d++) {
    const bits = [d >> 2, (d >> 1) & 1, d & 1];
    for (let o = 0; o < 27; o++) {
      const off = [Math.floor(o / 9) - 1, (Math.floor(o / 3) % 3) - 1, (o % 3) - 1];
      let po = 0,
        slot = 0;
      for (let a = 0; a < 3; a++) {
        const t = bits[a] + off[a];
        po = po * 3 + (Math.floor(t / 2) + 1);
        slot = slot * 2 + (t & 1);
      }
      parentOffset[d * 27 + o] = po;
      childSlot[d * 27 + o] = slot;
    }
  }
  return { parentOffset, childSlot };
})();

/**
 * neighbourMap of subdivide(parents) at twice the resolution, from the parents' neighbour map alone:
 * every parent has all 8 children, so a child's neighbour exists exactly when the parent cell holding it
 * does, and its row is that parent's row·8 + slot. Equal to neighbourMap(subdivide(coords), 2R) entry for
 * entry, without the dense lookup grid of the finer level (the mesh decoder's finest level has 64 N rows).
 */
export function subdividedNeighbourMap(parentNbr: Int32Array): Int32Array {
  const np = parentNbr.length / 27;
  const nc = 8 * np;
  const out = new Int32Array(nc * 27);
  const { parentOffset, childSlot } = CHILD_NEIGHBOUR;
  for (let p = 0; p < np; p++) {
    const pRow = p * 27;
    for (let d = 0; d < 8; d++) {
      const o0 = (p * 8 + d) * 27;
      const t0 = d * 27;
      for (let o = 0; o < 27; o++) {
        const q = parentNbr[pRow + parentOffset[t0 + o]];
        out[o0 + o] = q === np ? nc : q * 8 + childSlot[t0 + o];
      }
    }
  }
  return out;
}

/** Everything slat_flow needs for one coordinate set (the full set or a carved subset). */
export interface SlatTables {
  coords: Int32Array;
  nbrFine: Int32Array;
  nbrCoarse: Int32Array;
  children: Int32Array;
  invCount: Float32Array;
  fineToCoarse: Int32Array;
  coarseXyz: Float32Array;
  numCoarse: number;
}

export function slatTables(coords: Int32Array, resolution: number): SlatTables {
  const c = coarseTables(coords, resolution);
  return {
    coords,
    nbrFine: neighbourMap(coords, resolution),
    nbrCoarse: neighbourMap(c.coarse, Math.ceil(resolution / 2)),
    children: c.children,
    invCount: c.invCount,
    fineToCoarse: c.fineToCoarse,
    coarseXyz: c.coarseXyz,
    numCoarse: c.coarse.length / 3,
  };
}

/** Everything mesh_decoder needs besides the latent; `fineCoords` = level-`subdivisions` coordinates. */
export interface MeshDecoderTables {
  win0: WindowTables;
  win1: WindowTables;
  /** Neighbour maps of subdivision levels 1..subdivisions (parent-major coordinate order). */
  levelNbr: Int32Array[];
  fineCoords: Int32Array;
  fineResolution: number;
}

export function meshDecoderTables(
  coords: Int32Array,
  resolution: number,
  mesh: { subdivisions: number; window: number; shifts: readonly [number, number] },
): MeshDecoderTables {
  const levelNbr: Int32Array[] = [];
  let level = coords;
  let res = resolution;
  // Each level's neighbours follow from its parents' (subdividedNeighbourMap): only level 0 needs a lookup.
  let nbr = mesh.subdivisions > 0 ? neighbourMap(coords, resolution) : new Int32Array(0);
  for (let s = 0; s < mesh.subdivisions; s++) {
    level = subdivide(level);
    res *= 2;
    nbr = subdividedNeighbourMap(nbr);
    levelNbr.push(nbr);
  }
  return {
    win0: windowTables(coords, mesh.window, mesh.shifts[0]),
    win1: windowTables(coords, mesh.window, mesh.shifts[1]),
    levelNbr,
    fineCoords: level,
    fineResolution: res,
  };
}
