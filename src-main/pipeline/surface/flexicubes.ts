/**
 * Sparse FlexiCubes on the mesh decoder's fine voxel grid (our own implementation of the method of
 * Shen et al. 2023 as TRELLIS / SAM 3D use it; semantics in ../shared/reference/sam3d-architecture.md §2.8).
 *
 * Every fine voxel is a cube whose 8 corners carry an SDF value (negative inside), optionally a
 * deformation and per-cube weights (β per edge, α per corner, γ per cube), and a colour. Corners shared by
 * neighbouring voxels are averaged. A corner that no voxel covers has no decoded value: it is outside
 * (SDF +1, as in TRELLIS's dense grids) when its uncovered region reaches the edge of the grid, and takes
 * the majority sign of the region's border otherwise (uncovered-regions.ts) — so a solid object decoded
 * on a shell of voxels gets no inner wall. Cubes no voxel covers still take part wherever a crossing edge
 * touches them (with neutral weights), so a closed field gives a closed mesh.
 *
 * Surface cubes get one dual vertex per surface patch (usually one), at the β-weighted mean of the patch's
 * α-weighted edge crossings; every crossing edge yields a quad of the dual vertices of its four cubes,
 * split along the diagonal with the larger γ product (ties: the shorter diagonal). With neutral
 * deformation and weights (β = α = 1, equal γ) this is exactly dual marching cubes.
 */
import type { Mesh } from '../types';
import {
  AMBIGUOUS_FACES,
  BETA_SLOT,
  EDGE_CORNERS,
  FACE_DIR,
  PATCH_COUNT,
  PATCH_OF,
  insideDiagonalConnected,
  joinedPatches,
} from './cube-tables';
import { KeyIndex, KeyedPoints } from './key-index';
import { UncoveredRegions } from './uncovered-regions';
import { computeVertexNormals } from './normals';

export interface FlexiCubesInput {
  coords: Int32Array;
  feats: Float32Array;
  channels: number;
  resolution: number;
  sdf: readonly [number, number];
  deform: readonly [number, number] | null;
  weights: readonly [number, number] | null;
  color: readonly [number, number] | null;
  sdfBias: number;
  colorActivation: 'sigmoid' | 'none' | 'clamp';
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

const EMPTY: Mesh = {
  positions: new Float32Array(0),
  colors: new Float32Array(0),
  normals: new Float32Array(0),
  indices: new Uint32Array(0),
};

/** Runs FlexiCubes; returns an empty mesh (no vertices) when no cube crosses zero. */
export function flexiCubes(input: FlexiCubesInput): Mesh {
  const corners = dedupeCorners(input.coords, input.resolution);
  let cubes: Cubes | null = null;
  try {
    const sdf = meanSdf(input, corners);
    const regions = UncoveredRegions.build(input.coords, input.resolution);
    const edges = crossingEdges(corners, sdf, regions, input.resolution);
    if (edges.count === 0) return EMPTY;
    cubes = surfaceCubes(corners, edges, input.resolution);
    const codes = cubeCodes(corners, cubes, sdf, edges.uncoveredSign, input.resolution);
    const attrs = cornerAttributes(input, corners, codes.needed);
    const verts = dualVertices(input, cubes, codes, sdf, attrs);
    return finish(verts.positions, verts.colors, quads(edges, cubes, verts));
  } finally {
    // The corner and cube LUTs are pooled (key-index.ts): hand them back for the next object.
    corners.index.release();
    cubes?.index.release();
  }
}

interface Corners {
  /** Corner key ((i·(R+1) + j)·(R+1) + k) → corner id. */
  index: KeyIndex;
  /** 8 corner ids per voxel. */
  voxCorner: Int32Array;
  /** 3 integer coordinates per corner id. */
  coord: Int32Array;
  count: number;
}

/** 1. Deduplicate corners on the (R+1)³ corner grid; remember each voxel's 8 corner ids. */
function dedupeCorners(coords: Int32Array, R: number): Corners {
  const M = coords.length / 3;
  const R1 = R + 1;
  const points = new KeyedPoints(R1 * R1 * R1, 2 * M + 64);
  const voxCorner = new Int32Array(8 * M);
  for (let n = 0; n < M; n++) {
    const i = coords[3 * n],
      j = coords[3 * n + 1],
      k = coords[3 * n + 2];
    for (let c = 0; c < 8; c++) {
      const ci = i + (c & 1),
        cj = j + ((c >> 1) & 1),
        ck = k + (c >> 2);
      voxCorner[8 * n + c] = points.add((ci * R1 + cj) * R1 + ck, ci, cj, ck);
    }
  }
  return { index: points.index, voxCorner, coord: points.coord, count: points.count };
}

/** 2. Mean corner SDF over the voxels sharing each corner, plus the bias. */
function meanSdf(input: FlexiCubesInput, corners: Corners): Float32Array {
  const { feats, channels: F } = input;
  const sdf0 = input.sdf[0];
  const U = corners.count;
  const vc = corners.voxCorner;
  const sum = new Float32Array(U);
  const count = new Uint8Array(U);
  const M = vc.length / 8;
  for (let n = 0; n < M; n++) {
    const row = n * F + sdf0;
    for (let c = 0; c < 8; c++) {
      const id = vc[8 * n + c];
      sum[id] += feats[row + c];
      count[id]++;
    }
  }
  for (let u = 0; u < U; u++) sum[u] = sum[u] / count[u] + input.sdfBias;
  return sum;
}

const UNCOVERED_OUTSIDE = -1;
const UNCOVERED_INSIDE = -2;

/** Id of corner (i, j, k), or -1 when no voxel covers it (it then counts as outside). */
function cornerAt(corners: Corners, R: number, i: number, j: number, k: number): number {
  if (i < 0 || j < 0 || k < 0 || i > R || j > R || k > R) return -1;
  const R1 = R + 1;
  return corners.index.get((i * R1 + j) * R1 + k);
}

interface Edges {
  /**
   * code = (corner·6 + axis·2 + (neighbour at +axis ? 1 : 0))·2 + (corner inside ? 1 : 0), where corner
   * is the covered end (every crossing edge has one: two neighbouring uncovered corners share a region).
   */
  codes: Int32Array;
  count: number;
  /** Sign of an uncovered corner: +1 outside, −1 inside (see uncovered-regions.ts). */
  uncoveredSign: (i: number, j: number, k: number) => number;
}

/**
 * 3. Crossing edges: between a covered inside and a covered outside corner (found from the inside one),
 * or between a covered corner and an uncovered one of the other sign. Uncovered regions get their sign
 * here, by the vote of the covered corners bordering them.
 */
function crossingEdges(corners: Corners, sdf: Float32Array, regions: UncoveredRegions, R: number): Edges {
  let codes = new Int32Array(1024);
  let count = 0;
  const push = (code: number) => {
    if (count === codes.length) {
      const grown = new Int32Array(codes.length * 2);
      grown.set(codes);
      codes = grown;
    }
    codes[count++] = code;
  };
  let pending: number[] = []; // pairs (edge code without the inside flag, region)
  const vote = new Int32Array(regions.count);
  const cc = corners.coord;
  for (let u = 0; u < corners.count; u++) {
    const ci = cc[3 * u],
      cj = cc[3 * u + 1],
      ck = cc[3 * u + 2];
    const inside = sdf[u] < 0;
    for (let e = 0; e < 6; e++) {
      const axis = e >> 1;
      const dir = e & 1 ? 1 : -1;
      const ni = axis === 0 ? ci + dir : ci,
        nj = axis === 1 ? cj + dir : cj,
        nk = axis === 2 ? ck + dir : ck;
      const id = cornerAt(corners, R, ni, nj, nk);
      if (id >= 0) {
        if (inside && !(sdf[id] < 0)) push((u * 6 + e) * 2 + 1);
        continue;
      }
      const region = regions.regionOfCorner(ni, nj, nk);
      if (region !== 0) vote[region] += inside ? -1 : 1;
      pending.push(u * 6 + e, region);
    }
  }
  // Region 0 (connected to the outside of the grid) is outside; enclosed regions follow their border.
  const regionSign = new Int8Array(regions.count);
  for (let r = 0; r < regions.count; r++) regionSign[r] = r !== 0 && vote[r] < 0 ? -1 : 1;
  for (let p = 0; p < pending.length; p += 2) {
    const u = (pending[p] / 6) | 0;
    const inside = sdf[u] < 0;
    if (inside !== regionSign[pending[p + 1]] < 0) push(pending[p] * 2 + (inside ? 1 : 0));
  }
  pending = [];
  return { codes, count, uncoveredSign: (i, j, k) => regionSign[regions.regionOfCorner(i, j, k)] };
}

interface Cubes {
  /** Cube key (((i+1)·(R+2) + j+1)·(R+2) + k+1) → cube id. */
  index: KeyIndex;
  /** 4 cube ids per crossing edge, counter-clockwise around it seen from +axis. */
  edgeCube: Int32Array;
  /** 3 integer coordinates per cube id (may be −1 or R: cubes just outside the grid close the surface). */
  coord: Int32Array;
  count: number;
}

/**
 * 4. The four cubes around every crossing edge: exactly the surface cubes, including cubes no voxel
 * covers and cubes just outside the grid. r = 0..3 ↔ (db, dc) = (0,0) (1,0) (1,1) (0,1) with
 * cube = lower edge corner − db·e_b − dc·e_c, b = (axis+1)%3, c = (axis+2)%3.
 */
function surfaceCubes(corners: Corners, edges: Edges, R: number): Cubes {
  const R2 = R + 2;
  const points = new KeyedPoints(R2 * R2 * R2, edges.count + 64);
  const edgeCube = new Int32Array(4 * edges.count);
  const cc = corners.coord;
  for (let q = 0; q < edges.count; q++) {
    const code = edges.codes[q] >> 1;
    const u = (code / 6) | 0;
    const e = code - 6 * u;
    const axis = e >> 1;
    const back = e & 1 ? 0 : 1; // the edge's lower corner is the covered corner, or its −axis neighbour
    const lo0 = cc[3 * u] - (axis === 0 ? back : 0);
    const lo1 = cc[3 * u + 1] - (axis === 1 ? back : 0);
    const lo2 = cc[3 * u + 2] - (axis === 2 ? back : 0);
    for (let r = 0; r < 4; r++) {
      const db = r === 1 || r === 2 ? 1 : 0;
      const dc = r >> 1;
      let qi = lo0,
        qj = lo1,
        qk = lo2;
      if (axis === 0) {
        qj -= db;
        qk -= dc;
      } else if (axis === 1) {
        qk -= db;
        qi -= dc;
      } else {
        qi -= db;
        qj -= dc;
      }
      edgeCube[4 * q + r] = points.add(((qi + 1) * R2 + qj + 1) * R2 + qk + 1, qi, qj, qk);
    }
  }
  return { index: points.index, edgeCube, coord: points.coord, count: points.count };
}

interface Codes {
  /** 8 corner ids per surface cube, or UNCOVERED_OUTSIDE / UNCOVERED_INSIDE. */
  cubeCorner: Int32Array;
  /** Inside-corner bit mask per cube. */
  code: Uint8Array;
  /** Per cube, the ambiguous faces whose inside corners are joined (see resolveAmbiguousFaces). */
  join: Uint8Array;
  numVerts: number;
  /** 1 for corners of surface cubes: only their deformation and colour are needed. */
  needed: Uint8Array;
}

/** 5. Corner ids and sign code per surface cube; ambiguous faces resolved; dual vertices counted. */
function cubeCodes(
  corners: Corners,
  cubes: Cubes,
  sdf: Float32Array,
  uncoveredSign: Edges['uncoveredSign'],
  R: number,
): Codes {
  const Q = cubes.count;
  const cubeCorner = new Int32Array(8 * Q);
  const code = new Uint8Array(Q);
  const needed = new Uint8Array(corners.count);
  for (let q = 0; q < Q; q++) {
    const qi = cubes.coord[3 * q],
      qj = cubes.coord[3 * q + 1],
      qk = cubes.coord[3 * q + 2];
    let bits = 0;
    for (let c = 0; c < 8; c++) {
      const ci = qi + (c & 1),
        cj = qj + ((c >> 1) & 1),
        ck = qk + (c >> 2);
      const id = cornerAt(corners, R, ci, cj, ck);
      if (id >= 0) {
        cubeCorner[8 * q + c] = id;
        needed[id] = 1;
        if (sdf[id] < 0) bits |= 1 << c;
      } else if (uncoveredSign(ci, cj, ck) < 0) {
        cubeCorner[8 * q + c] = UNCOVERED_INSIDE;
        bits |= 1 << c;
      } else {
        cubeCorner[8 * q + c] = UNCOVERED_OUTSIDE;
      }
    }
    code[q] = bits;
  }
  const join = resolveAmbiguousFaces(cubes, code, R);
  let numVerts = 0;
  for (let q = 0; q < Q; q++) numVerts += join[q] === 0 ? PATCH_COUNT[code[q]] : joinedPatches(code[q], join[q]).count;
  return { cubeCorner, code, join, numVerts, needed };
}

/**
 * Ambiguous faces (inside corners on one diagonal, outside on the other). By default the inside corners
 * are cut off separately. When both cubes sharing the face connect those inside corners through their
 * other corners, that choice would give both cubes a single patch touching the face twice — two quads
 * pairs on one dual edge, a non-manifold pinch. Then the face joins the inside corners instead (cuts off
 * the outside ones, which cannot be connected in either cube). Both cubes evaluate the same rule from the
 * same corner signs, so they agree.
 */
function resolveAmbiguousFaces(cubes: Cubes, code: Uint8Array, R: number): Uint8Array {
  const R2 = R + 2;
  const join = new Uint8Array(cubes.count);
  for (let q = 0; q < cubes.count; q++) {
    const faces = AMBIGUOUS_FACES[code[q]];
    if (faces === 0) continue;
    for (let fi = 0; fi < 6; fi++) {
      if (!((faces >> fi) & 1) || !insideDiagonalConnected(code[q], fi)) continue;
      const [axis, dir] = FACE_DIR[fi];
      const n0 = cubes.coord[3 * q] + (axis === 0 ? dir : 0);
      const n1 = cubes.coord[3 * q + 1] + (axis === 1 ? dir : 0);
      const n2 = cubes.coord[3 * q + 2] + (axis === 2 ? dir : 0);
      const nq =
        n0 < -1 || n1 < -1 || n2 < -1 || n0 > R || n1 > R || n2 > R
          ? -1
          : cubes.index.get(((n0 + 1) * R2 + n1 + 1) * R2 + n2 + 1);
      if (nq < 0) continue;
      // The neighbour sees this face as its opposite face (fi ^ 1), with the same corner signs.
      if (insideDiagonalConnected(code[nq], fi ^ 1)) join[q] |= 1 << fi;
    }
  }
  return join;
}

interface CornerAttributes {
  /** Deformed corner positions (object frame) — valid for needed corners. */
  pos: Float32Array;
  /** Activated corner colours — valid for needed corners. */
  col: Float32Array;
}

/** 6. Mean deformation and colour of the corners that surface cubes use (the rest are never read). */
function cornerAttributes(input: FlexiCubesInput, corners: Corners, needed: Uint8Array): CornerAttributes {
  const { feats, channels: F, resolution: R } = input;
  const U = corners.count;
  const def0 = input.deform ? input.deform[0] : -1;
  const col0 = input.color ? input.color[0] : -1;
  const colStride = input.color ? (input.color[1] - input.color[0]) / 8 : 0;
  const pos = new Float32Array(3 * U);
  const col = new Float32Array(3 * U);
  const count = new Uint8Array(U);
  const vc = corners.voxCorner;
  const M = vc.length / 8;
  if (def0 >= 0 || col0 >= 0) {
    for (let n = 0; n < M; n++) {
      const row = n * F;
      for (let c = 0; c < 8; c++) {
        const id = vc[8 * n + c];
        if (needed[id] === 0) continue;
        count[id]++;
        if (def0 >= 0) {
          const b = row + def0 + 3 * c;
          pos[3 * id] += feats[b];
          pos[3 * id + 1] += feats[b + 1];
          pos[3 * id + 2] += feats[b + 2];
        }
        if (col0 >= 0) {
          const b = row + col0 + colStride * c;
          col[3 * id] += feats[b];
          col[3 * id + 1] += feats[b + 1];
          col[3 * id + 2] += feats[b + 2];
        }
      }
    }
  }
  const sigmoidColours = input.colorActivation === 'sigmoid';
  const deformScale = (1 - 1e-8) / (2 * R);
  const cc = corners.coord;
  for (let u = 0; u < U; u++) {
    if (needed[u] === 0) continue;
    const inv = count[u] > 0 ? 1 / count[u] : 0;
    for (let a = 0; a < 3; a++) {
      const d = def0 >= 0 ? Math.tanh(pos[3 * u + a] * inv) * deformScale : 0;
      pos[3 * u + a] = cc[3 * u + a] / R - 0.5 + d;
      const raw = col[3 * u + a] * inv;
      col[3 * u + a] = col0 < 0 ? 0.7 : sigmoidColours ? sigmoid(raw) : clamp01(raw);
    }
  }
  return { pos, col };
}

interface DualVertices {
  positions: Float32Array;
  colors: Float32Array;
  /** Dual vertex of each (cube, local edge); −1 where the edge does not cross. */
  cubeEdgeVertex: Int32Array;
  /** γ per cube (0.5 when neutral). */
  gamma: Float32Array;
}

/** 7. Dual vertices: α-weighted edge crossings, β-weighted mean per surface patch of each cube. */
function dualVertices(
  input: FlexiCubesInput,
  cubes: Cubes,
  codes: Codes,
  sdf: Float32Array,
  attrs: CornerAttributes,
): DualVertices {
  const { feats, channels: F, resolution: R, coords } = input;
  const Q = cubes.count;
  const w0 = input.weights ? input.weights[0] : -1;
  // Voxel row of a cube (for its weights), only needed when the pack predicts weights.
  let voxelIndex: KeyIndex | null = null;
  if (w0 >= 0) {
    const M = coords.length / 3;
    voxelIndex = new KeyIndex(R * R * R, M);
    for (let n = 0; n < M; n++) voxelIndex.insert((coords[3 * n] * R + coords[3 * n + 1]) * R + coords[3 * n + 2]);
  }
  const { pos, col } = attrs;
  const vPos = new Float32Array(3 * codes.numVerts);
  const vCol = new Float32Array(3 * codes.numVerts);
  const cubeEdgeVertex = new Int32Array(12 * Q).fill(-1);
  const gamma = new Float32Array(Q).fill(0.5);
  const s = new Float64Array(8),
    px = new Float64Array(24),
    pc = new Float64Array(24),
    alpha = new Float64Array(8).fill(1);
  const beta = new Float64Array(12).fill(1);
  const acc = new Float64Array(4 * 7); // per patch: x, y, z, r, g, b, Σβ
  let v = 0;
  for (let q = 0; q < Q; q++) {
    const code = codes.code[q];
    const joined = codes.join[q] === 0 ? null : joinedPatches(code, codes.join[q]);
    const patches = joined ? joined.count : PATCH_COUNT[code];
    const qi = cubes.coord[3 * q],
      qj = cubes.coord[3 * q + 1],
      qk = cubes.coord[3 * q + 2];
    for (let c = 0; c < 8; c++) {
      const id = codes.cubeCorner[8 * q + c];
      if (id >= 0) {
        s[c] = sdf[id];
        copyVec3(px, c, pos, id);
        copyVec3(pc, c, col, id);
      } else {
        // No voxel covers it: far outside (+1, as in TRELLIS) or, in an enclosed region, far inside (−1).
        s[c] = id === UNCOVERED_INSIDE ? -1 : 1;
        px[3 * c] = (qi + (c & 1)) / R - 0.5;
        px[3 * c + 1] = (qj + ((c >> 1) & 1)) / R - 0.5;
        px[3 * c + 2] = (qk + (c >> 2)) / R - 0.5;
        pc[3 * c] = NaN; // no colour known: the crossing takes the other end's colour
      }
    }
    if (voxelIndex) {
      const row =
        qi >= 0 && qj >= 0 && qk >= 0 && qi < R && qj < R && qk < R ? voxelIndex.get((qi * R + qj) * R + qk) : -1;
      if (row >= 0) {
        const b = row * F + w0;
        for (let e = 0; e < 12; e++) beta[e] = Math.tanh(feats[b + BETA_SLOT[e]]) * 0.99 + 1;
        for (let c = 0; c < 8; c++) alpha[c] = Math.tanh(feats[b + 12 + c]) * 0.99 + 1;
        gamma[q] = sigmoid(feats[b + 20]) * 0.99 + 0.005;
      } else {
        beta.fill(1);
        alpha.fill(1);
      }
    }
    acc.fill(0);
    for (let e = 0; e < 12; e++) {
      const p = joined ? joined.patchOf[e] : PATCH_OF[code * 12 + e];
      if (p < 0) continue;
      const c0 = EDGE_CORNERS[2 * e],
        c1 = EDGE_CORNERS[2 * e + 1];
      const a0 = s[c0] * alpha[c0],
        a1 = s[c1] * alpha[c1];
      const t = a0 / (a0 - a1);
      const bw = beta[e];
      const o = 7 * p;
      const n0 = Number.isNaN(pc[3 * c0]),
        n1 = Number.isNaN(pc[3 * c1]);
      for (let a = 0; a < 3; a++) {
        acc[o + a] += bw * (px[3 * c0 + a] + t * (px[3 * c1 + a] - px[3 * c0 + a]));
        const k0 = n0 ? pc[3 * c1 + a] : pc[3 * c0 + a];
        const k1 = n1 ? pc[3 * c0 + a] : pc[3 * c1 + a];
        acc[o + 3 + a] += bw * (k0 + t * (k1 - k0));
      }
      acc[o + 6] += bw;
      cubeEdgeVertex[12 * q + e] = v + p;
    }
    for (let p = 0; p < patches; p++) {
      const o = 7 * p;
      const inv = 1 / acc[o + 6];
      for (let a = 0; a < 3; a++) {
        vPos[3 * (v + p) + a] = acc[o + a] * inv;
        vCol[3 * (v + p) + a] = acc[o + 3 + a] * inv;
      }
    }
    v += patches;
  }
  voxelIndex?.release();
  return { positions: vPos, colors: vCol, cubeEdgeVertex, gamma };
}

/**
 * 8. One quad per crossing edge, counter-clockwise seen from the outside corner (so the normal points
 * outward), split along the diagonal with the larger γ product; ties take the shorter diagonal.
 */
function quads(edges: Edges, cubes: Cubes, verts: DualVertices): Uint32Array {
  const tri = new Uint32Array(6 * edges.count);
  const vPos = verts.positions;
  for (let q = 0; q < edges.count; q++) {
    const code = edges.codes[q];
    const e = (code >> 1) % 6;
    const axis = e >> 1;
    // Outward = from the inside end to the outside end: along +axis when the covered end is inside and
    // its neighbour lies at +axis, or when the covered end is outside and its neighbour lies at −axis.
    const forward = (e & 1) === (code & 1);
    let v0 = 0,
      v1 = 0,
      v2 = 0,
      v3 = 0,
      g0 = 0,
      g1 = 0,
      g2 = 0,
      g3 = 0;
    for (let r = 0; r < 4; r++) {
      const qid = cubes.edgeCube[4 * q + r];
      const local = axis * 4 + (r === 1 || r === 2 ? 1 : 0) + 2 * (r >> 1);
      const vert = verts.cubeEdgeVertex[12 * qid + local];
      const g = verts.gamma[qid];
      // Counter-clockwise seen from +axis gives a +axis normal; reverse for edges whose outside is −axis.
      const slot = forward ? r : (4 - r) & 3;
      if (slot === 0) {
        v0 = vert;
        g0 = g;
      } else if (slot === 1) {
        v1 = vert;
        g1 = g;
      } else if (slot === 2) {
        v2 = vert;
        g2 = g;
      } else {
        v3 = vert;
        g3 = g;
      }
    }
    const g02 = g0 * g2,
      g13 = g1 * g3;
    const split02 = g02 === g13 ? dist2(vPos, v0, v2) <= dist2(vPos, v1, v3) : g02 > g13;
    const t = 6 * q;
    if (split02) {
      tri[t] = v0;
      tri[t + 1] = v1;
      tri[t + 2] = v2;
      tri[t + 3] = v0;
      tri[t + 4] = v2;
      tri[t + 5] = v3;
    } else {
      tri[t] = v0;
      tri[t + 1] = v1;
      tri[t + 2] = v3;
      tri[t + 3] = v1;
      tri[t + 4] = v2;
      tri[t + 5] = v3;
    }
  }
  return tri;
}

/** dst[3·d .. 3·d+2] = src[3·s .. 3·s+2]: one xyz / rgb triple of packed arrays. */
function copyVec3(dst: Float32Array | Float64Array, d: number, src: Float32Array, s: number): void {
  dst[3 * d] = src[3 * s];
  dst[3 * d + 1] = src[3 * s + 1];
  dst[3 * d + 2] = src[3 * s + 2];
}

function dist2(p: Float32Array, a: number, b: number): number {
  const dx = p[3 * a] - p[3 * b],
    dy = p[3 * a + 1] - p[3 * b + 1],
    dz = p[3 * a + 2] - p[3 * b + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** Drops zero-area triangles (coincident dual vertices in degenerate fields) and unused vertices. */
function finish(positions: Float32Array, colors: Float32Array, tri: Uint32Array): Mesh {
  let kept = 0;
  for (let f = 0; f < tri.length / 3; f++) {
    const a = tri[3 * f],
      b = tri[3 * f + 1],
      c = tri[3 * f + 2];
    const ux = positions[3 * b] - positions[3 * a],
      uy = positions[3 * b + 1] - positions[3 * a + 1],
      uz = positions[3 * b + 2] - positions[3 * a + 2];
    const vx = positions[3 * c] - positions[3 * a],
      vy = positions[3 * c + 1] - positions[3 * a + 1],
      vz = positions[3 * c + 2] - positions[3 * a + 2];
    const nx = uy * vz - uz * vy,
      ny = uz * vx - ux * vz,
      nz = ux * vy - uy * vx;
    if (nx * nx + ny * ny + nz * nz <= 1e-30) continue;
    tri[3 * kept] = a;
    tri[3 * kept + 1] = b;
    tri[3 * kept + 2] = c;
    kept++;
  }
  let indices = tri.subarray(0, 3 * kept);
  const V = positions.length / 3;
  const remap = new Int32Array(V).fill(-1);
  let used = 0;
  for (let i = 0; i < indices.length; i++) if (remap[indices[i]] < 0) remap[indices[i]] = used++;
  if (used < V) {
    const p = new Float32Array(3 * used),
      c = new Float32Array(3 * used);
    for (let i = 0; i < V; i++) {
      const r = remap[i];
      if (r < 0) continue;
      copyVec3(p, r, positions, i);
      copyVec3(c, r, colors, i);
    }
    const out = new Uint32Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = remap[indices[i]];
    positions = p;
    colors = c;
    indices = out;
  } else {
    indices = indices.slice();
  }
  return { positions, colors, normals: computeVertexNormals(positions, indices), indices };
}
