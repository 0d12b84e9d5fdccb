/**
 * Fit to mask (sampler setting `fitToMask`, not part of SAM 3D): the coarse shape's voxels whose whole
 * footprint, placed by the object's own predicted layout and seen through the photo's camera, lies on
 * pixels outside every mask of the photo (the job's, and those left out of it: RunOptions.otherMasks)
 * are removed before SLaT. The SS flow reads the mask only through
 * the condition encoder and may put volume where the photo shows background (a slab across a star's
 * notches, a column around a lamp's pole); a one-view visual hull takes that away.
 *
 * Why the union of the masks: a pixel of another masked object may hide this one, so it says nothing
 * about what lies behind it; an artist masks the thing in front and leaves it out of the run. An occluder
 * nobody masked cannot be told from background, so the setting is off by default and its help says so. Pixels
 * outside the photo say nothing either and keep their voxels.
 */
import { photoCamera, placePoint, toPixel } from '../camera';
import type { BinaryMask } from '../image';
import type { Layout } from '../types';

/** The distance field is computed on at most this many cells along the photo's longer side. */
const MAX_FIELD_SIDE = 512;
/** More than this share of the occupied voxels outside the mask means the layout, not the shape, disagrees. */
const MAX_REMOVED_SHARE = 0.5;
/** Logit given to a removed voxel (the occupancy threshold of a pack is near 0). */
const REMOVED_LOGIT = -20;

/** Squared distance (in cells) from every cell to the nearest cell that lies on a mask. */
export interface MaskField {
  /** Photo size the masks have. */
  width: number;
  height: number;
  /** Photo pixels per cell side (1 up to MAX_FIELD_SIDE pixels). */
  cell: number;
  cols: number;
  rows: number;
  distSq: Float32Array;
}

/** One pass of the exact 1-D squared-distance transform (Felzenszwalb & Huttenlocher 2012) over `f`. */
function distance1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s: number;
    for (;;) {
      const p = v[k];
      s = (f[q] + q * q - (f[p] + p * p)) / (2 * (q - p));
      if (s > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const d = q - v[k];
    out[q] = d * d + f[v[k]];
  }
}

/** Exact squared Euclidean distance transform of `inside` (cols × rows, row-major): 0 on inside cells. */
export function squaredDistanceToInside(inside: Uint8Array, cols: number, rows: number): Float32Array {
  const FAR = (cols + rows) ** 2 + 1; // beyond any distance on the grid; finite, so the parabolas stay defined
  const n = Math.max(cols, rows);
  const f = new Float64Array(n),
    out = new Float64Array(n),
    z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  const d = new Float32Array(cols * rows);
  for (let x = 0; x < cols; x++) {
    for (let y = 0; y < rows; y++) f[y] = inside[y * cols + x] ? 0 : FAR;
    distance1d(f, rows, out, v, z);
    for (let y = 0; y < rows; y++) d[y * cols + x] = out[y];
  }
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) f[x] = d[y * cols + x];
    distance1d(f, cols, out, v, z);
    for (let x = 0; x < cols; x++) d[y * cols + x] = out[x];
  }
  return d;
}

/**
 * The distance field of the union of `masks` (all of the photo's size). A cell is on the mask when any
 * of its pixels is, so pooling only ever keeps voxels.
 */
export function maskField(masks: readonly BinaryMask[]): MaskField {
  const { width, height } = masks[0];
  const cell = Math.max(1, Math.ceil(Math.max(width, height) / MAX_FIELD_SIDE));
  const cols = Math.ceil(width / cell),
    rows = Math.ceil(height / cell);
  const inside = new Uint8Array(cols * rows);
  for (const mk of masks) {
    if (mk.width !== width || mk.height !== height) throw new Error('the masks of one photo must have its size');
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / cell) * cols;
      for (let x = 0; x < width; x++) if (mk.data[y * width + x]) inside[row + Math.floor(x / cell)] = 1;
    }
  }
  return { width, height, cell, cols, rows, distSq: squaredDistanceToInside(inside, cols, rows) };
}

export interface FitResult {
  /** The logits with the removed voxels set far below the threshold (`logits` itself when nothing changed). */
  logits: Float32Array;
  occupied: number;
  removed: number;
  /** True when too much lay outside the mask and the shape was kept whole (see MAX_REMOVED_SHARE). */
  skipped: boolean;
}

/**
 * Remove the occupied voxels of one R³ logit grid (voxel (i, j, k) at (i·R + j)·R + k, centre at
 * ((i + ½)/R − ½, …) in the object frame) whose footprint misses the mask field. `layout` must be the
 * grid's own (scale without aggregation); camera conventions as docs/model-pack.md, "Frames".
 */
export function fitToMask(
  logits: Float32Array,
  R: number,
  threshold: number,
  layout: Layout,
  fovDeg: number,
  field: MaskField,
): FitResult {
  const cam = photoCamera(fovDeg, field.width, field.height);
  // A voxel's footprint lies within the projection of its circumscribed sphere, of radius `footprint`.
  const footprint = ((layout.scale / R) * Math.sqrt(3)) / 2;
  const outside: number[] = []; // voxels no point of which can show on a mask
  const c = [0, 0, 0];
  const px = [0, 0];
  let occupied = 0;
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++)
      for (let k = 0; k < R; k++) {
        const idx = (i * R + j) * R + k;
        if (!(logits[idx] > threshold)) continue;
        occupied++;
        const [cx, cy, cz] = placePoint(layout, (i + 0.5) / R - 0.5, (j + 0.5) / R - 0.5, (k + 0.5) / R - 0.5, c);
        if (!(cz > footprint)) continue; // at or behind the camera: the photo says nothing
        const [u, v] = toPixel(cam, cx, cy, cz, px);
        // Radius in pixels that holds the sphere's projection anywhere in the frame (off-axis it is
        // stretched; f·r/cz alone is short there and up close).
        const reachPx = (cam.focal * footprint * Math.hypot(cx, cy, cz)) / (cz * (cz - footprint));
        // Partly outside the photo: what lies beyond the frame is unknown, so the voxel stays.
        if (u - reachPx < 0 || v - reachPx < 0 || u + reachPx >= field.width || v + reachPx >= field.height) continue;
        // Distances run between cell centres: the point and the nearest mask pixel may each lie half a
        // cell diagonal from theirs.
        const reach = reachPx / field.cell + Math.SQRT2;
        const col = Math.floor(u / field.cell),
          row = Math.floor(v / field.cell);
        if (field.distSq[row * field.cols + col] > reach * reach) outside.push(idx);
      }
  if (outside.length === 0) return { logits, occupied, removed: 0, skipped: false };
  if (outside.length > MAX_REMOVED_SHARE * occupied) return { logits, occupied, removed: 0, skipped: true };
  const fitted = new Float32Array(logits);
  for (const idx of outside) fitted[idx] = REMOVED_LOGIT;
  return { logits: fitted, occupied, removed: outside.length, skipped: false };
}
