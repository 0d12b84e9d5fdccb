/**
 * Colour from photo (sampler setting `colourFromPhoto`, not part of SAM 3D): the mesh's vertex colours
 * taken from the photo itself. Each vertex is placed by the object's predicted layout and seen through
 * the photo's camera; where it lands on the object's mask it takes the photo's colour there (bilinear,
 * over mask pixels only, so the background does not bleed in). A vertex on the far side lands on the
 * same pixel as the surface in front of it and takes that colour: the photo shows one side, and the
 * front's colour is the best single guess for the back (a mug, a vase, a painted box).
 *
 * The photo's light is taken out next: a surface turned from the light is darker in the photo than its
 * paint, and that shade would be baked into every part the photo shows, then copied to the far side. The
 * light is fitted over the surface the photo shows (the nearest vertex facing the camera in each cell) as
 * a first-order spherical harmonic of the normal, shade = c0 + c·n, the usual low-order model of a
 * distant light plus ambient, with a ridge on c so that a surface of nearly one normal (a flat face seen
 * head-on) does not read its texture as light. Each photo colour is divided by the shade of the surface
 * the photo shows at its pixel, relative to the best-lit of those surfaces (at most MAX_GAIN times
 * brighter), so the mesh is lit once, by the viewer or Blender, not twice. The fit is on sRGB-encoded
 * luma, as the pixels come: for real photos (shaded in linear light) it is an approximation.
 *
 * Last, vertices that land off the mask (a pose that is slightly off, a part hidden behind something in
 * front, which is not on this object's mask) take the mean colour of their coloured neighbours along the
 * mesh, ring by ring; a part joined to none takes the object's mean.
 *
 * Why: a pack whose colour path is weak (the mini pack ships neutral grey, MODEL_CARD.md) gives an
 * artist an untextured mesh; the photo has the colours. A pose error shifts them, and the far side is a
 * guess, so it is off by default and the decoder's colours stay SAM 3D's.
 */
import { photoCamera, placePoint, poseMesh, toPixel, type PhotoCamera } from '../camera';
import type { BinaryMask, DecodedImage } from '../image';
import { computeVertexNormals } from '../surface';
import type { Layout, Mesh } from '../types';

/** The surface the photo shows is looked up on at most this many cells along the photo's longer side. */
const MAX_GRID_SIDE = 512;
/** How far (in cells) a vertex looks for the surface the photo shows at its pixel. */
const FRONT_SEARCH_CELLS = 2;
/** A shaded colour is brightened at most this many times (the ambient floor of a real light is above 1/3). */
const MAX_GAIN = 3;
/**
 * Below this share of a mesh's vertices landing on its mask the pose disagrees with the photo (the far
 * side lands there too; mini 0.7.5, seed 42: 0.51–0.98 on the 48 benchmark and validation objects,
 * occluded ones lowest).
 */
const MIN_LANDED_SHARE = 0.35;
/** Fewer visible samples than this leave the light unfitted (and the colours as the photo has them). */
const MIN_LIGHT_SAMPLES = 32;
/**
 * Ridge on the light's direction, per sample: normals that barely vary (less than about √RIDGE) cannot
 * tell a light from the paint's own pattern, and the fit keeps the light even there.
 */
const RIDGE = 0.01;

export interface PhotoColourResult {
  /** V×3 sRGB colours, 0..1. */
  colors: Float32Array;
  /** Vertices coloured from the photo (landed on the mask); 0: none did and `colors` are the mesh's own. */
  fromPhoto: number;
  /** Vertices coloured from their neighbours along the mesh, or the object's mean. */
  spread: number;
  /** True when the photo's light was fitted and taken out. */
  delit: boolean;
}

/** Where the mesh lands in the photo: per vertex, pixel coordinates, depth and camera-frame normal. */
interface Projection {
  pu: Float32Array;
  pv: Float32Array;
  depth: Float32Array;
  /** Camera-frame unit normals, V×3. */
  normals: Float32Array;
  /** 1 where the vertex's normal faces the camera. */
  facing: Uint8Array;
}

function project(mesh: Mesh, layout: Layout, cam: PhotoCamera, shift: readonly number[]): Projection {
  const nv = mesh.positions.length / 3;
  const normals = mesh.normals && mesh.normals.length === mesh.positions.length ? mesh.normals : computeVertexNormals(mesh.positions, mesh.indices);
  // s·(p + δ)·R + t = s·p·R + (s·δ·R + t): the shift goes into the translation, not into a copy of the mesh.
  const placed = shift.some((d) => d !== 0) ? { ...layout, translation: placePoint(layout, shift[0], shift[1], shift[2]) as Layout['translation'] } : layout;
  const posed = poseMesh({ ...mesh, normals }, placed);
  const out: Projection = {
    pu: new Float32Array(nv),
    pv: new Float32Array(nv),
    depth: new Float32Array(nv),
    normals: posed.normals!,
    facing: new Uint8Array(nv),
  };
  const p = posed.positions,
    n = out.normals,
    px = [0, 0];
  for (let q = 0; q < nv; q++) {
    const z = p[3 * q + 2];
    out.depth[q] = z;
    if (!(z > 0)) continue;
    toPixel(cam, p[3 * q], p[3 * q + 1], z, px);
    out.pu[q] = px[0];
    out.pv[q] = px[1];
    // The ray from the camera (at the origin) to the vertex meets the surface from its outside.
    out.facing[q] = p[3 * q] * n[3 * q] + p[3 * q + 1] * n[3 * q + 1] + z * n[3 * q + 2] < 0 ? 1 : 0;
  }
  return out;
}

/**
 * The photo's colour at pixel coordinates (u, v), bilinear over the pixel centres around it that lie on
 * the mask; false when none does.
 */
function maskedSample(image: DecodedImage, mask: BinaryMask, u: number, v: number, out: Float32Array, at: number): boolean {
  const x = u - 0.5,
    y = v - 0.5;
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const fx = x - x0,
    fy = y - y0;
  let wsum = 0,
    r = 0,
    g = 0,
    b = 0;
  for (let dy = 0; dy < 2; dy++) {
    const py = y0 + dy;
    if (py < 0 || py >= image.height) continue;
    for (let dx = 0; dx < 2; dx++) {
      const px = x0 + dx;
      if (px < 0 || px >= image.width || !mask.data[py * image.width + px]) continue;
      // A small floor keeps a pixel that is on the mask but far from (u, v) from weighing exactly 0.
      const wt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) + 1e-6;
      const o = 3 * (py * image.width + px);
      r += wt * image.rgb[o];
      g += wt * image.rgb[o + 1];
      b += wt * image.rgb[o + 2];
      wsum += wt;
    }
  }
  if (wsum === 0) return false;
  out[at] = r / wsum;
  out[at + 1] = g / wsum;
  out[at + 2] = b / wsum;
  return true;
}

/** Per cell of the photo, the nearest camera-facing vertex that lands in it: the surface the photo shows. */
interface FrontSurface {
  cell: number;
  cols: number;
  rows: number;
  /** Vertex index per cell, −1 where none lands. */
  vertex: Int32Array;
}

function frontSurface(cam: PhotoCamera, pr: Projection): FrontSurface {
  const cell = Math.max(1, Math.ceil(Math.max(cam.width, cam.height) / MAX_GRID_SIDE));
  const cols = Math.ceil(cam.width / cell),
    rows = Math.ceil(cam.height / cell);
  const vertex = new Int32Array(cols * rows).fill(-1);
  for (let q = 0; q < pr.depth.length; q++) {
    if (!pr.facing[q] || pr.pu[q] < 0 || pr.pv[q] < 0 || pr.pu[q] >= cam.width || pr.pv[q] >= cam.height) continue;
    const at = Math.floor(pr.pv[q] / cell) * cols + Math.floor(pr.pu[q] / cell);
    const cur = vertex[at];
    if (cur < 0 || pr.depth[q] < pr.depth[cur]) vertex[at] = q;
  }
  return { cell, cols, rows, vertex };
}

/**
 * The surface the photo shows at (u, v): the front vertex of its cell, else the nearest (in depth) one
 * within FRONT_SEARCH_CELLS cells (vertices are sparser than cells where the mesh is seen at a slant); −1.
 */
function frontVertexAt(front: FrontSurface, depth: Float32Array, u: number, v: number): number {
  const col = Math.floor(u / front.cell),
    row = Math.floor(v / front.cell);
  if (col < 0 || row < 0 || col >= front.cols || row >= front.rows) return -1;
  const own = front.vertex[row * front.cols + col];
  if (own >= 0) return own;
  let best = -1;
  for (let r = Math.max(0, row - FRONT_SEARCH_CELLS); r <= Math.min(front.rows - 1, row + FRONT_SEARCH_CELLS); r++)
    for (let c = Math.max(0, col - FRONT_SEARCH_CELLS); c <= Math.min(front.cols - 1, col + FRONT_SEARCH_CELLS); c++) {
      const q = front.vertex[r * front.cols + c];
      if (q >= 0 && (best < 0 || depth[q] < depth[best])) best = q;
    }
  return best;
}

/** Solution of the 4×4 system `a x = b` (Gaussian elimination with partial pivoting); null if singular. */
function solve4(a: number[][], b: number[]): number[] | null {
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (!(Math.abs(m[piv][c]) > 1e-12)) return null;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k < 5; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[4] / row[i]);
}

/**
 * Luma of an sRGB-encoded colour, Rec. 709 weights (the weights of sRGB's primaries; the SSIM metric's
 * BT.601 luma is a video convention and does not matter here: only ratios of one pixel's shade are used).
 */
const luma = (c: Float32Array, o: number): number => 0.2126 * c[o] + 0.7152 * c[o + 1] + 0.0722 * c[o + 2];

/**
 * Fit the photo's light over the surface it shows and divide each photo colour (`known` vertices) by the
 * shade of the surface at its pixel, relative to the best-lit surface seen. False (colours untouched)
 * when too little is seen or the fit has no lit side.
 */
function takeOutLight(cam: PhotoCamera, pr: Projection, known: Uint8Array, colors: Float32Array): boolean {
  const front = frontSurface(cam, pr);
  const n = pr.normals;
  const ata = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const atb = [0, 0, 0, 0];
  const seen: number[] = [];
  for (const q of front.vertex) {
    if (q < 0 || !known[q]) continue;
    const row = [1, n[3 * q], n[3 * q + 1], n[3 * q + 2]];
    const y = luma(colors, 3 * q);
    for (let i = 0; i < 4; i++) {
      atb[i] += row[i] * y;
      for (let j = 0; j < 4; j++) ata[i][j] += row[i] * row[j];
    }
    seen.push(q);
  }
  if (seen.length < MIN_LIGHT_SAMPLES) return false;
  for (let i = 1; i < 4; i++) ata[i][i] += RIDGE * seen.length;
  const x = solve4(ata, atb);
  if (!x) return false;
  const [c0, lx, ly, lz] = x;
  const shadeOf = (q: number) => c0 + lx * n[3 * q] + ly * n[3 * q + 1] + lz * n[3 * q + 2];
  // The best-lit surface the photo shows, not the model's peak over every direction: a direction never
  // seen would be an extrapolation.
  let best = 0;
  for (const q of seen) best = Math.max(best, shadeOf(q));
  if (!(c0 > 0 && best > 0)) return false;
  for (let q = 0; q < known.length; q++) {
    if (!known[q]) continue;
    // For a vertex on the far side: the shade of the surface in front of it, whose colour it took.
    const f = frontVertexAt(front, pr.depth, pr.pu[q], pr.pv[q]);
    const gain = best / Math.max(shadeOf(f >= 0 ? f : q), best / MAX_GAIN);
    for (let d = 0; d < 3; d++) colors[3 * q + d] = Math.min(1, colors[3 * q + d] * gain);
  }
  return true;
}

/** Vertex adjacency of a triangle mesh in compressed rows (duplicates kept: they only weigh an edge twice). */
function adjacency(indices: Uint32Array, vertices: number): { start: Uint32Array; nbr: Uint32Array } {
  const start = new Uint32Array(vertices + 1);
  for (let t = 0; t + 2 < indices.length; t += 3) for (let e = 0; e < 3; e++) start[indices[t + e] + 1] += 2;
  for (let v = 0; v < vertices; v++) start[v + 1] += start[v];
  const fill = start.slice(0, vertices);
  const nbr = new Uint32Array(start[vertices]);
  for (let t = 0; t + 2 < indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = indices[t + e];
      nbr[fill[a]++] = indices[t + ((e + 1) % 3)];
      nbr[fill[a]++] = indices[t + ((e + 2) % 3)];
    }
  }
  return { start, nbr };
}

/**
 * Colour the vertices not `known` from their known neighbours, ring by ring: each ring's vertex takes the
 * mean of its neighbours coloured by earlier rings (not by its own, so the order of vertices does not
 * matter); each ring only looks at the neighbours of the last, so the whole pass is linear in the edges.
 * Vertices no ring reaches (parts joined to nothing known) take the mean of the known ones.
 */
function spreadColours(indices: Uint32Array, known: Uint8Array, colors: Float32Array): void {
  const nv = known.length;
  const { start, nbr } = adjacency(indices, nv);
  const queued = Uint8Array.from(known);
  let ring: number[] = [];
  for (let v = 0; v < nv; v++) {
    if (!known[v]) continue;
    for (let e = start[v]; e < start[v + 1]; e++) {
      const q = nbr[e];
      if (!queued[q]) {
        queued[q] = 1;
        ring.push(q);
      }
    }
  }
  while (ring.length > 0) {
    for (const v of ring) {
      let count = 0,
        r = 0,
        g = 0,
        b = 0;
      for (let e = start[v]; e < start[v + 1]; e++) {
        const q = nbr[e];
        if (known[q] !== 1) continue;
        r += colors[3 * q];
        g += colors[3 * q + 1];
        b += colors[3 * q + 2];
        count++;
      }
      colors[3 * v] = r / count; // count ≥ 1: the vertex was queued by a known neighbour
      colors[3 * v + 1] = g / count;
      colors[3 * v + 2] = b / count;
    }
    for (const v of ring) known[v] = 1;
    const next: number[] = [];
    for (const v of ring)
      for (let e = start[v]; e < start[v + 1]; e++) {
        const q = nbr[e];
        if (!queued[q]) {
          queued[q] = 1;
          next.push(q);
        }
      }
    ring = next;
  }
  const mean = [0, 0, 0];
  let n = 0;
  for (let v = 0; v < nv; v++) {
    if (!known[v]) continue;
    n++;
    for (let d = 0; d < 3; d++) mean[d] += colors[3 * v + d];
  }
  for (let v = 0; v < nv; v++) if (!known[v]) for (let d = 0; d < 3; d++) colors[3 * v + d] = mean[d] / n;
}

/** What the run should say about a result of colourFromPhoto for `label` (the object), if anything. */
export function photoColourWarning(r: PhotoColourResult, label: string): string | undefined {
  const total = r.fromPhoto + r.spread;
  if (r.fromPhoto === 0) {
    return `Colour from photo kept the model's colours: no part of ${label} as posed lands on its mask. Check the mask, or try another seed.`;
  }
  if (r.fromPhoto < MIN_LANDED_SHARE * total) {
    const pct = Math.round((100 * r.fromPhoto) / total);
    return `Colour from photo: only ${pct} % of ${label} as posed lands on its mask, so most of its colours were spread from there; the pose disagrees with the photo. Check the mask, or try another seed.`;
  }
  return undefined;
}

/**
 * Colours of `mesh` (object frame) from `image` where it lands on `mask`, placed in the photo by `layout`
 * (the mesh's own: scale with the aggregation factor) after adding `shift` (the part of the aggregation's
 * registration the mesh does not carry, when the offset fix is off), with the photo's light taken out
 * unless `delight` is false. When no vertex lands on the mask the mesh keeps its colours and `fromPhoto`
 * is 0.
 */
export function colourFromPhoto(
  mesh: Mesh,
  layout: Layout,
  fovDeg: number,
  image: DecodedImage,
  mask: BinaryMask,
  options: { shift?: readonly number[]; delight?: boolean } = {},
): PhotoColourResult {
  const nv = mesh.positions.length / 3;
  const cam = photoCamera(fovDeg, image.width, image.height);
  const pr = project(mesh, layout, cam, options.shift ?? [0, 0, 0]);
  const colors = new Float32Array(nv * 3);
  const known = new Uint8Array(nv);
  let fromPhoto = 0;
  for (let q = 0; q < nv; q++) {
    if (pr.depth[q] > 0 && maskedSample(image, mask, pr.pu[q], pr.pv[q], colors, 3 * q)) {
      known[q] = 1;
      fromPhoto++;
    }
  }
  if (fromPhoto === 0) return { colors: mesh.colors, fromPhoto: 0, spread: 0, delit: false };
  const delit = options.delight !== false && takeOutLight(cam, pr, known, colors);
  spreadColours(mesh.indices, known, colors);
  return { colors, fromPhoto, spread: nv - fromPhoto, delit };
}
