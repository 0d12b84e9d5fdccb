/**
 * From SS-decoder logits to the voxel list: threshold (lexicographic order), surface pruning, guards.
 */

/** Coordinates (N×3, lexicographic i, j, k) of voxels whose logit exceeds `threshold`; R³ grid, x-major. */
export function occupiedCoords(logits: Float32Array, resolution: number, threshold: number): Int32Array {
  const r = resolution;
  let n = 0;
  for (let q = 0; q < logits.length; q++) if (logits[q] > threshold) n++;
  const out = new Int32Array(3 * n);
  let w = 0;
  for (let i = 0, q = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      for (let k = 0; k < r; k++, q++) {
        if (logits[q] > threshold) {
          out[w++] = i;
          out[w++] = j;
          out[w++] = k;
        }
      }
    }
  }
  return out;
}

/**
 * Surface pruning: keep voxels that have at least one empty voxel within Chebyshev distance `dist`
 * (the (2d+1)³ neighbourhood; outside the grid counts as empty). Returns the kept row indices (ascending),
 * so per-voxel arrays can be filtered alongside. dist 0 keeps everything.
 */
export function surfaceRows(coords: Int32Array, resolution: number, dist: number): Int32Array {
  const n = coords.length / 3;
  if (dist <= 0) return Int32Array.from({ length: n }, (_, q) => q);
  const r = resolution;
  const occ = new Uint8Array(r * r * r);
  for (let q = 0; q < n; q++) occ[(coords[3 * q] * r + coords[3 * q + 1]) * r + coords[3 * q + 2]] = 1;
  const keep: number[] = [];
  for (let q = 0; q < n; q++) {
    const i = coords[3 * q],
      j = coords[3 * q + 1],
      k = coords[3 * q + 2];
    if (i - dist < 0 || j - dist < 0 || k - dist < 0 || i + dist >= r || j + dist >= r || k + dist >= r) {
      keep.push(q);
      continue;
    }
    let surface = false;
    for (let a = i - dist; a <= i + dist && !surface; a++) {
      for (let b = j - dist; b <= j + dist && !surface; b++) {
        const base = (a * r + b) * r;
        for (let c = k - dist; c <= k + dist; c++) {
          if (occ[base + c] === 0) {
            surface = true;
            break;
          }
        }
      }
    }
    if (surface) keep.push(q);
  }
  return Int32Array.from(keep);
}

/** Rows `rows` of an N×width array. */
export function gatherRows<T extends Int32Array | Float32Array>(src: T, width: number, rows: Int32Array): T {
  const out = new (src.constructor as { new (n: number): T })(rows.length * width);
  for (let q = 0; q < rows.length; q++) {
    const s = rows[q] * width;
    for (let c = 0; c < width; c++) out[q * width + c] = src[s + c];
  }
  return out;
}
