/**
 * Colour from photo (sampler setting `colourFromPhoto`, not part of SAM 3D): the mesh's vertex colours
 * taken from the photo itself. Each vertex is placed by the object's predicted layout and seen through
 * the photo's camera; where it lands on the object's mask it takes the photo's colour there (bilinear,
 * over mask pixels only, so the background does not bleed in). A vertex on the far side lands on the
 * same pixel as the surface in front of it and takes that colour: the photo shows one side, and the
 * front's colour is the best single guess for the back (a mug, a vase, a painted box). Vertices that
 * land off the mask (a pose that is slightly off, a part hidden behind something in front, which is not
 * on this object's mask) take the mean colour of their coloured neighbours along the mesh, wave by wave;
 * a part joined to none takes the object's mean.
 *
 * The photo's light is taken out (`delight`): a surface turned from the light is darker in the photo
 * than its paint, and that shade would be baked into every part the photo shows, then copied to the far
 * side. The light is fitted over the surface the photo shows as a first-order spherical harmonic of the
 * normal (shade = c0 + c·n, the usual low-order model of a distant light plus ambient), and each colour
 * is divided by the shade of the surface at its pixel relative to the best-lit direction (at most
 * MAX_GAIN times brighter), so the mesh is lit once, by the viewer or Blender, not twice.
 *
 * Why: a pack whose colour path is weak (the mini pack ships neutral grey, MODEL_CARD.md) gives an
 * artist an untextured mesh; the photo has the colours. A pose error shifts them, and the far side is a
 * guess, so it is off by default and the decoder's colours stay SAM 3D's.
 */
import { photoCamera, placePoint, toPixel, type PhotoCamera } from '../camera';
import type { BinaryMask, DecodedImage } from '../image';
import { computeVertexNormals } from '../surface';
import type { Layout, Mesh } from '../types';

/** The surface the photo shows is looked up on at most this many cells along the photo's longer side. */
const MAX_GRID_SIDE = 512;
/** A shaded colour is brightened at most this many times (the ambient floor of a real light is above 1/3). */
const MAX_GAIN = 3;
/** Fewer visible samples than this leave the light unfitted (and the colours as the photo has them). */
const MIN_LIGHT_SAMPLES = 32;

export interface PhotoColourResult {
  /** V×3 sRGB colours, 0..1. */
  colors: Float32Array;
  /** Vertices coloured from the photo (landed on the mask). */
  fromPhoto: number;
  /** Vertices coloured from their neighbours along the mesh, or the object's mean. */
  spread: number;
  /** True when the photo's light was fitted and taken out (false: too little seen, or the fit had no lit side). */
  delit: boolean;
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
  let w = 0,
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
      w += wt;
    }
  }
  if (w === 0) return false;
  out[at] = r / w;
  out[at + 1] = g / w;
  out[at + 2] = b / w;
  return true;
}

/** Vertex adjacency of a triangle mesh in compressed rows (duplicates kept: they only weigh an edge twice). */
function adjacency(indices: Uint32Array, vertices: number): { start: Uint32Array; nbr: Uint32Array } {
  const degree = new Uint32Array(vertices + 1);
  for (let t = 0; t + 2 < indices.length; t += 3) {
    for (let e = 0; e < 3; e++) degree[indices[t + e]] += 2;
  }
  const start = new Uint32Array(vertices + 1);
  for (let v = 0; v < vertices; v++) start[v + 1] = start[v] + degree[v];
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

/** Cells of the photo and, per cell, the nearest vertex that lands in it (the surface the photo shows). */
interface FrontSurface {
  cell: number;
  cols: number;
  rows: number;
  /** Vertex index per cell, −1 where none lands. */
  vertex: Int32Array;
}

function frontSurface(cam: PhotoCamera, u: Float32Array, v: Float32Array, depth: Float32Array): FrontSurface {
  const cell = Math.max(1, Math.ceil(Math.max(cam.width, cam.height) / MAX_GRID_SIDE));
  const cols = Math.ceil(cam.width / cell),
    rows = Math.ceil(cam.height / cell);
  const vertex = new Int32Array(cols * rows).fill(-1);
  for (let q = 0; q < depth.length; q++) {
    if (!(depth[q] > 0) || u[q] < 0 || v[q] < 0 || u[q] >= cam.width || v[q] >= cam.height) continue;
    const at = Math.floor(v[q] / cell) * cols + Math.floor(u[q] / cell);
    const cur = vertex[at];
    if (cur < 0 || depth[q] < depth[cur]) vertex[at] = q;
  }
  return { cell, cols, rows, vertex };
}

/** The front vertex at (u, v): its cell's, else the nearest (in depth) of the 8 cells around it; −1 if none. */
function frontVertexAt(front: FrontSurface, depth: Float32Array, u: number, v: number): number {
  const col = Math.floor(u / front.cell),
    row = Math.floor(v / front.cell);
  if (col < 0 || row < 0 || col >= front.cols || row >= front.rows) return -1;
  const own = front.vertex[row * front.cols + col];
  if (own >= 0) return own;
  let best = -1;
  for (let dr = -1; dr <= 1; dr++)
    for (let dc = -1; dc <= 1; dc++) {
      const r = row + dr,
        c = col + dc;
      if (r < 0 || c < 0 || r >= front.rows || c >= front.cols) continue;
      const q = front.vertex[r * front.cols + c];
      if (q >= 0 && (best < 0 || depth[q] < depth[best])) best = q;
    }
  return best;
}

/** Least-squares solution of the 4×4 normal equations `a x = b` (Gaussian elimination); null if singular. */
function solve4(a: number[][], b: number[]): number[] | null {
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (!(Math.abs(m[piv][c]) > 1e-9)) return null;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k < 5; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[4] / row[i]);
}

/** Luma of an sRGB-encoded colour (Rec. 709 weights). */
const luma = (c: Float32Array, o: number): number => 0.2126 * c[o] + 0.7152 * c[o + 1] + 0.0722 * c[o + 2];

/**
 * Colours of `mesh` (object frame, placed in the photo by `layout`, which must be the mesh's own: scale
 * with the aggregation factor) from `image` where they land on `mask`, with the photo's light taken out
 * unless `delight` is false. When no vertex lands on the mask the mesh keeps its colours and
 * `fromPhoto` is 0.
 */
export function colourFromPhoto(
  mesh: Mesh,
  layout: Layout,
  fovDeg: number,
  image: DecodedImage,
  mask: BinaryMask,
  delight = true,
): PhotoColourResult {
  const nv = mesh.positions.length / 3;
  const cam = photoCamera(fovDeg, image.width, image.height);
  const colors = new Float32Array(nv * 3);
  const known = new Uint8Array(nv);
  const p = mesh.positions;
  const u = new Float32Array(nv),
    w = new Float32Array(nv),
    depth = new Float32Array(nv);
  const c = [0, 0, 0];
  let fromPhoto = 0;
  for (let v = 0; v < nv; v++) {
    const [cx, cy, cz] = placePoint(layout, p[3 * v], p[3 * v + 1], p[3 * v + 2], c);
    depth[v] = cz;
    if (!(cz > 0)) continue;
    [u[v], w[v]] = toPixel(cam, cx, cy, cz);
    if (maskedSample(image, mask, u[v], w[v], colors, 3 * v)) {
      known[v] = 1;
      fromPhoto++;
    }
  }
  if (fromPhoto === 0) return { colors: mesh.colors, fromPhoto: 0, spread: 0, delit: false };
  const delit = delight && takeOutLight(mesh, layout, cam, { u, w, depth, known, colors });

  // Spread inwards from the coloured vertices, one ring per wave, each new vertex the mean of its
  // neighbours coloured by earlier waves (not by its own wave, so the order of vertices does not matter).
  const { start, nbr } = adjacency(mesh.indices, nv);
  let frontier: number[] = [];
  for (let v = 0; v < nv; v++) if (!known[v]) frontier.push(v);
  for (;;) {
    const reached: number[] = [];
    const rest: number[] = [];
    for (const v of frontier) {
      let n = 0,
        r = 0,
        g = 0,
        b = 0;
      for (let e = start[v]; e < start[v + 1]; e++) {
        const q = nbr[e];
        if (known[q] !== 1) continue;
        r += colors[3 * q];
        g += colors[3 * q + 1];
        b += colors[3 * q + 2];
        n++;
      }
      if (n === 0) {
        rest.push(v);
        continue;
      }
      colors[3 * v] = r / n;
      colors[3 * v + 1] = g / n;
      colors[3 * v + 2] = b / n;
      reached.push(v);
    }
    if (reached.length === 0) break;
    for (const v of reached) known[v] = 1;
    frontier = rest;
  }
  // Parts joined to nothing coloured: the object's mean colour.
  if (frontier.length > 0) {
    const mean = [0, 0, 0];
    for (let v = 0; v < nv; v++) if (known[v]) for (let d = 0; d < 3; d++) mean[d] += colors[3 * v + d];
    const n = nv - frontier.length;
    for (const v of frontier) for (let d = 0; d < 3; d++) colors[3 * v + d] = mean[d] / n;
  }
  return { colors, fromPhoto, spread: nv - fromPhoto, delit };
}

/**
 * Fit the photo's light over the surface it shows and divide each photo colour (`known` vertices) by the
 * shade of the surface at its pixel, relative to the best-lit direction. False (colours untouched) when
 * too little is seen or the fit has no lit side.
 */
function takeOutLight(
  mesh: Mesh,
  layout: Layout,
  cam: PhotoCamera,
  s: { u: Float32Array; w: Float32Array; depth: Float32Array; known: Uint8Array; colors: Float32Array },
): boolean {
  const nv = s.depth.length;
  const front = frontSurface(cam, s.u, s.w, s.depth);
  // Normals in the camera frame: n·R (row vectors; the layout's scale is uniform and positive).
  const nObj = mesh.normals && mesh.normals.length === mesh.positions.length ? mesh.normals : computeVertexNormals(mesh.positions, mesh.indices);
  const r = layout.rotation;
  const normal = (q: number): [number, number, number] => {
    const x = nObj[3 * q],
      y = nObj[3 * q + 1],
      z = nObj[3 * q + 2];
    return [x * r[0] + y * r[3] + z * r[6], x * r[1] + y * r[4] + z * r[7], x * r[2] + y * r[5] + z * r[8]];
  };
  // Normal equations of luma ≈ c0 + c·n over the front vertices that took a photo colour.
  const ata = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const atb = [0, 0, 0, 0];
  let samples = 0;
  for (const q of front.vertex) {
    if (q < 0 || !s.known[q]) continue;
    const row = [1, ...normal(q)];
    const y = luma(s.colors, 3 * q);
    for (let i = 0; i < 4; i++) {
      atb[i] += row[i] * y;
      for (let j = 0; j < 4; j++) ata[i][j] += row[i] * row[j];
    }
    samples++;
  }
  if (samples < MIN_LIGHT_SAMPLES) return false;
  const x = solve4(ata, atb);
  if (!x) return false;
  const [c0, lx, ly, lz] = x;
  const best = c0 + Math.hypot(lx, ly, lz);
  if (!(c0 > 0 && best > 0)) return false;
  for (let q = 0; q < nv; q++) {
    if (!s.known[q]) continue;
    // The shade of what the photo shows at this vertex's pixel (for a vertex on the far side: the surface in front).
    const f = frontVertexAt(front, s.depth, s.u[q], s.w[q]);
    const [nx, ny, nz] = normal(f >= 0 ? f : q);
    const shade = Math.max(c0 + lx * nx + ly * ny + lz * nz, best / MAX_GAIN);
    const gain = best / shade;
    for (let d = 0; d < 3; d++) s.colors[3 * q + d] = Math.min(1, s.colors[3 * q + d] * gain);
  }
  return true;
}
