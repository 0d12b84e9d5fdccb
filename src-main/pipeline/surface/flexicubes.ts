/**
 * Sparse FlexiCubes on the mesh decoder's fine voxel grid (our own implementation of the method of
 * Shen et al. 2023 as TRELLIS / SAM 3D use it; semantics in ../shared/reference/sam3d-architecture.md §2.8).
 *
 * Every fine voxel is a cube whose 8 corners carry an SDF value (negative inside), optionally a
 * deformation and per-cube weights (β per edge, α per corner, γ per cube), and a colour. Corners shared by
 * neighbouring voxels are averaged. As in TRELLIS's dense grids, a corner that no voxel covers counts as
 * outside (SDF +1, no deformation) and a cube that no voxel covers has neutral weights; such "phantom"
 * cubes still take part wherever one of their corners is inside, so a closed field gives a closed mesh.
 *
 * Surface cubes get one dual vertex per surface patch (usually one), at the β-weighted mean of the patch's
 * α-weighted edge crossings; every crossing edge yields a quad of the dual vertices of its four cubes,
 * split along the diagonal with the larger γ product (ties: the shorter diagonal). With neutral
 * deformation and weights (β = α = 1, equal γ) this is exactly dual marching cubes.
 */
import type { Mesh } from '../types';
import { BETA_SLOT, CORNER_OFFSETS, EDGE_CORNERS, PATCH_COUNT, PATCH_OF } from './cube-tables';
import { KeyIndex } from './key-index';
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

/** Runs FlexiCubes; returns an empty mesh (no vertices) when no cube crosses zero. */
export function flexiCubes(input: FlexiCubesInput): Mesh {
  const { coords, feats, channels: F, resolution: R } = input;
  const M = coords.length / 3;
  const R1 = R + 1;
  const R2 = R + 2;
  const sdf0 = input.sdf[0];
  const def0 = input.deform ? input.deform[0] : -1;
  const w0 = input.weights ? input.weights[0] : -1;
  const col0 = input.color ? input.color[0] : -1;
  const colStride = input.color ? (input.color[1] - input.color[0]) / 8 : 0;

  // 1. Deduplicate corners (key on the (R+1)³ corner grid) and remember each voxel's 8 corner ids.
  const cornerIndex = new KeyIndex(R1 * R1 * R1, 2 * M + 64);
  const voxCorner = new Int32Array(8 * M);
  let cornerCoord = new Int32Array(3 * Math.max(64, 2 * M));
  for (let n = 0; n < M; n++) {
    const i = coords[3 * n], j = coords[3 * n + 1], k = coords[3 * n + 2];
    for (let c = 0; c < 8; c++) {
      const ci = i + (c & 1), cj = j + ((c >> 1) & 1), ck = k + (c >> 2);
      const before = cornerIndex.size;
      const id = cornerIndex.insert((ci * R1 + cj) * R1 + ck);
      if (id === before) {
        if (3 * id + 3 > cornerCoord.length) {
          const grown = new Int32Array(cornerCoord.length * 2);
          grown.set(cornerCoord);
          cornerCoord = grown;
        }
        cornerCoord[3 * id] = ci;
        cornerCoord[3 * id + 1] = cj;
        cornerCoord[3 * id + 2] = ck;
      }
      voxCorner[8 * n + c] = id;
    }
  }
  const U = cornerIndex.size;

  // 2. Mean of the per-voxel corner values.
  const count = new Uint8Array(U);
  const sdf = new Float32Array(U);
  const pos = new Float32Array(3 * U);
  const col = new Float32Array(3 * U);
  for (let n = 0; n < M; n++) {
    const row = n * F;
    for (let c = 0; c < 8; c++) {
      const id = voxCorner[8 * n + c];
      count[id]++;
      sdf[id] += feats[row + sdf0 + c];
      if (def0 >= 0) {
        pos[3 * id] += feats[row + def0 + 3 * c];
        pos[3 * id + 1] += feats[row + def0 + 3 * c + 1];
        pos[3 * id + 2] += feats[row + def0 + 3 * c + 2];
      }
      if (col0 >= 0) {
        const b = row + col0 + colStride * c;
        col[3 * id] += feats[b];
        col[3 * id + 1] += feats[b + 1];
        col[3 * id + 2] += feats[b + 2];
      }
    }
  }
  const act = input.colorActivation === 'sigmoid' ? sigmoid : clamp01;
  const deformScale = (1 - 1e-8) / (2 * R);
  let inside = 0;
  for (let u = 0; u < U; u++) {
    const inv = 1 / count[u];
    sdf[u] = sdf[u] * inv + input.sdfBias;
    if (sdf[u] < 0) inside++;
    for (let a = 0; a < 3; a++) {
      const d = def0 >= 0 ? Math.tanh(pos[3 * u + a] * inv) * deformScale : 0;
      pos[3 * u + a] = cornerCoord[3 * u + a] / R - 0.5 + d;
      col[3 * u + a] = col0 >= 0 ? act(col[3 * u + a] * inv) : 0.7;
    }
  }
  const empty: Mesh = { positions: new Float32Array(0), colors: new Float32Array(0), normals: new Float32Array(0), indices: new Uint32Array(0) };
  if (inside === 0) return empty;

  // 3. Candidate cubes: every cube (also outside the grid or uncovered) that touches an inside corner.
  const cubeIndex = new KeyIndex(R2 * R2 * R2, 4 * inside + 64);
  let cubeCoord = new Int32Array(3 * (4 * inside + 64));
  for (let u = 0; u < U; u++) {
    if (!(sdf[u] < 0)) continue;
    for (let c = 0; c < 8; c++) {
      const qi = cornerCoord[3 * u] - CORNER_OFFSETS[c][0];
      const qj = cornerCoord[3 * u + 1] - CORNER_OFFSETS[c][1];
      const qk = cornerCoord[3 * u + 2] - CORNER_OFFSETS[c][2];
      const before = cubeIndex.size;
      const q = cubeIndex.insert(((qi + 1) * R2 + qj + 1) * R2 + qk + 1);
      if (q === before) {
        if (3 * q + 3 > cubeCoord.length) {
          const grown = new Int32Array(cubeCoord.length * 2);
          grown.set(cubeCoord);
          cubeCoord = grown;
        }
        cubeCoord[3 * q] = qi;
        cubeCoord[3 * q + 1] = qj;
        cubeCoord[3 * q + 2] = qk;
      }
    }
  }
  const Q = cubeIndex.size;

  // Voxel row of a cube (for its weights), only needed when the pack predicts weights.
  let voxelIndex: KeyIndex | null = null;
  if (w0 >= 0) {
    voxelIndex = new KeyIndex(R * R * R, M);
    for (let n = 0; n < M; n++) voxelIndex.insert((coords[3 * n] * R + coords[3 * n + 1]) * R + coords[3 * n + 2]);
  }

  // 4. Corner ids and sign code per cube; count dual vertices.
  const cubeCorner = new Int32Array(8 * Q);
  const cubeCode = new Uint8Array(Q);
  let numVerts = 0;
  for (let q = 0; q < Q; q++) {
    const qi = cubeCoord[3 * q], qj = cubeCoord[3 * q + 1], qk = cubeCoord[3 * q + 2];
    let code = 0;
    for (let c = 0; c < 8; c++) {
      const ci = qi + (c & 1), cj = qj + ((c >> 1) & 1), ck = qk + (c >> 2);
      const id = ci < 0 || cj < 0 || ck < 0 || ci > R || cj > R || ck > R ? -1 : cornerIndex.get((ci * R1 + cj) * R1 + ck);
      cubeCorner[8 * q + c] = id;
      if (id >= 0 && sdf[id] < 0) code |= 1 << c;
    }
    cubeCode[q] = code;
    numVerts += PATCH_COUNT[code];
  }

  // 5. Dual vertices: α-weighted crossings, β-weighted means per patch.
  const vPos = new Float32Array(3 * numVerts);
  const vCol = new Float32Array(3 * numVerts);
  const cubeEdgeVertex = new Int32Array(12 * Q).fill(-1);
  const cubeGamma = new Float32Array(Q).fill(0.5);
  const s = new Float64Array(8), px = new Float64Array(24), pc = new Float64Array(24), alpha = new Float64Array(8).fill(1);
  const beta = new Float64Array(12).fill(1);
  const acc = new Float64Array(4 * 7); // per patch: x, y, z, r, g, b, Σβ
  let v = 0;
  for (let q = 0; q < Q; q++) {
    const code = cubeCode[q];
    const patches = PATCH_COUNT[code];
    if (patches === 0) continue;
    const qi = cubeCoord[3 * q], qj = cubeCoord[3 * q + 1], qk = cubeCoord[3 * q + 2];
    for (let c = 0; c < 8; c++) {
      const id = cubeCorner[8 * q + c];
      if (id >= 0) {
        s[c] = sdf[id];
        for (let a = 0; a < 3; a++) {
          px[3 * c + a] = pos[3 * id + a];
          pc[3 * c + a] = col[3 * id + a];
        }
      } else {
        s[c] = 1;
        px[3 * c] = (qi + (c & 1)) / R - 0.5;
        px[3 * c + 1] = (qj + ((c >> 1) & 1)) / R - 0.5;
        px[3 * c + 2] = (qk + (c >> 2)) / R - 0.5;
        pc[3 * c] = NaN; // no colour known: the crossing takes the other end's colour
      }
    }
    const row = voxelIndex && qi >= 0 && qj >= 0 && qk >= 0 && qi < R && qj < R && qk < R ? voxelIndex.get((qi * R + qj) * R + qk) : -1;
    if (row >= 0) {
      const b = row * F + w0;
      for (let e = 0; e < 12; e++) beta[e] = Math.tanh(feats[b + BETA_SLOT[e]]) * 0.99 + 1;
      for (let c = 0; c < 8; c++) alpha[c] = Math.tanh(feats[b + 12 + c]) * 0.99 + 1;
      cubeGamma[q] = sigmoid(feats[b + 20]) * 0.99 + 0.005;
    } else if (voxelIndex) {
      beta.fill(1);
      alpha.fill(1);
    }
    acc.fill(0);
    for (let e = 0; e < 12; e++) {
      const p = PATCH_OF[code * 12 + e];
      if (p < 0) continue;
      const c0 = EDGE_CORNERS[2 * e], c1 = EDGE_CORNERS[2 * e + 1];
      const a0 = s[c0] * alpha[c0], a1 = s[c1] * alpha[c1];
      const t = a0 / (a0 - a1);
      const bw = beta[e];
      const o = 7 * p;
      for (let a = 0; a < 3; a++) {
        acc[o + a] += bw * (px[3 * c0 + a] + t * (px[3 * c1 + a] - px[3 * c0 + a]));
        const k0 = Number.isNaN(pc[3 * c0]) ? pc[3 * c1 + a] : pc[3 * c0 + a];
        const k1 = Number.isNaN(pc[3 * c1]) ? pc[3 * c0 + a] : pc[3 * c1 + a];
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

  // 6. One quad per crossing edge, walked from its inside corner; wound so the normal points outward.
  let numQuads = 0;
  const nb = [0, 0, 0];
  const sdfAt = (x: number, y: number, z: number) => {
    if (x < 0 || y < 0 || z < 0 || x > R || y > R || z > R) return 1;
    const id = cornerIndex.get((x * R1 + y) * R1 + z);
    return id < 0 ? 1 : sdf[id];
  };
  for (let pass = 0; pass < 2; pass++) {
    const tri = pass === 1 ? new Uint32Array(6 * numQuads) : null;
    let t = 0;
    for (let u = 0; u < U; u++) {
      if (!(sdf[u] < 0)) continue;
      const ci = cornerCoord[3 * u], cj = cornerCoord[3 * u + 1], ck = cornerCoord[3 * u + 2];
      for (let axis = 0; axis < 3; axis++) {
        for (let dir = -1; dir <= 1; dir += 2) {
          nb[0] = ci;
          nb[1] = cj;
          nb[2] = ck;
          nb[axis] += dir;
          if (sdfAt(nb[0], nb[1], nb[2]) < 0) continue;
          if (!tri) {
            numQuads++;
            continue;
          }
          const lo0 = dir > 0 ? ci : nb[0], lo1 = dir > 0 ? cj : nb[1], lo2 = dir > 0 ? ck : nb[2];
          const b = (axis + 1) % 3, c = (axis + 2) % 3;
          // Cubes around the edge, counter-clockwise in the (b, c) plane seen from +axis.
          const quad = [0, 0, 0, 0];
          const gam = [0, 0, 0, 0];
          for (let r = 0; r < 4; r++) {
            const db = r === 1 || r === 2 ? 1 : 0;
            const dc = r >= 2 ? 1 : 0;
            const cube = [lo0, lo1, lo2];
            cube[b] -= db;
            cube[c] -= dc;
            const qid = cubeIndex.get(((cube[0] + 1) * R2 + cube[1] + 1) * R2 + cube[2] + 1);
            const slot = dir > 0 ? r : (4 - r) & 3; // reversed order for edges pointing to -axis
            quad[slot] = cubeEdgeVertex[12 * qid + axis * 4 + db + 2 * dc];
            gam[slot] = cubeGamma[qid];
          }
          const g02 = gam[0] * gam[2], g13 = gam[1] * gam[3];
          let split02 = g02 > g13;
          if (g02 === g13) split02 = dist2(vPos, quad[0], quad[2]) <= dist2(vPos, quad[1], quad[3]);
          if (split02) tri.set([quad[0], quad[1], quad[2], quad[0], quad[2], quad[3]], t);
          else tri.set([quad[0], quad[1], quad[3], quad[1], quad[2], quad[3]], t);
          t += 6;
        }
      }
    }
    if (tri) return finish(vPos, vCol, tri);
  }
  return empty;
}

function dist2(p: Float32Array, a: number, b: number): number {
  const dx = p[3 * a] - p[3 * b], dy = p[3 * a + 1] - p[3 * b + 1], dz = p[3 * a + 2] - p[3 * b + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** Drops zero-area triangles (coincident dual vertices in degenerate fields) and unused vertices. */
function finish(positions: Float32Array, colors: Float32Array, tri: Uint32Array): Mesh {
  let kept = 0;
  for (let f = 0; f < tri.length / 3; f++) {
    const a = tri[3 * f], b = tri[3 * f + 1], c = tri[3 * f + 2];
    const ux = positions[3 * b] - positions[3 * a], uy = positions[3 * b + 1] - positions[3 * a + 1], uz = positions[3 * b + 2] - positions[3 * a + 2];
    const vx = positions[3 * c] - positions[3 * a], vy = positions[3 * c + 1] - positions[3 * a + 1], vz = positions[3 * c + 2] - positions[3 * a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
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
    const p = new Float32Array(3 * used), c = new Float32Array(3 * used);
    for (let i = 0; i < V; i++) {
      const r = remap[i];
      if (r < 0) continue;
      p[3 * r] = positions[3 * i]; p[3 * r + 1] = positions[3 * i + 1]; p[3 * r + 2] = positions[3 * i + 2];
      c[3 * r] = colors[3 * i]; c[3 * r + 1] = colors[3 * i + 1]; c[3 * r + 2] = colors[3 * i + 2];
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
