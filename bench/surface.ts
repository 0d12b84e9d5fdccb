/**
 * Surface extraction benchmark: vertices per second of the sparse FlexiCubes extractor on
 * (a) a mini-pack-sized grid (32³ structure, 2 subdivisions → 128³ fine voxels) and
 * (b) a SAM 3D-sized grid (64³ structure, 2 subdivisions → ≈2.7 M fine voxels at 256³),
 * both built the way the pipeline builds them: a surface shell of structure voxels, each subdivided into
 * 64 children in parent-major order, with corner SDFs of an analytic hollow sphere (two surfaces).
 * Prints a table; nothing is asserted (wall-clock never is). Run: node --import tsx bench/surface.ts
 */
import { extractSurface, type MeshDecoderLayout } from '../src-main/pipeline/surface';

const LAYOUT: MeshDecoderLayout = {
  layout: { sdf: [0, 8], deform: null, weights: null, color: [8, 32] },
  sdfBias: 0,
  colorActivation: 'sigmoid',
};
const F = 32;

/** Hollow sphere: wall between radii rIn and rOut. */
const sdf = (x: number, y: number, z: number, rIn: number, rOut: number) => {
  const r = Math.hypot(x, y, z);
  return Math.max(r - rOut, rIn - r);
};

function buildField(structRes: number, subdiv: number, band: number, rIn: number, rOut: number) {
  const S = structRes;
  const k = 1 << subdiv;
  const R = S * k;
  const parents: number[] = [];
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++)
      for (let l = 0; l < S; l++) {
        const d = sdf((i + 0.5) / S - 0.5, (j + 0.5) / S - 0.5, (l + 0.5) / S - 0.5, rIn, rOut);
        if (Math.abs(d) * S <= band) parents.push(i, j, l);
      }
  const P = parents.length / 3;
  const M = P * k * k * k;
  const coords = new Int32Array(3 * M);
  const feats = new Float32Array(M * F);
  let n = 0;
  for (let p = 0; p < P; p++) {
    for (let dx = 0; dx < k; dx++)
      for (let dy = 0; dy < k; dy++)
        for (let dz = 0; dz < k; dz++) {
          const i = parents[3 * p] * k + dx,
            j = parents[3 * p + 1] * k + dy,
            l = parents[3 * p + 2] * k + dz;
          coords[3 * n] = i;
          coords[3 * n + 1] = j;
          coords[3 * n + 2] = l;
          const o = n * F;
          for (let c = 0; c < 8; c++) {
            const x = (i + (c & 1)) / R - 0.5,
              y = (j + ((c >> 1) & 1)) / R - 0.5,
              z = (l + (c >> 2)) / R - 0.5;
            feats[o + c] = sdf(x, y, z, rIn, rOut);
            feats[o + 8 + 3 * c] = 4 * x;
            feats[o + 9 + 3 * c] = 4 * y;
            feats[o + 10 + 3 * c] = 4 * z;
          }
          n++;
        }
  }
  return { coords, feats, channels: F, resolution: R, parents: P };
}

function run(label: string, structRes: number, band: number, rIn: number, rOut: number, repeats: number) {
  const field = buildField(structRes, 2, band, rIn, rOut);
  const voxels = field.coords.length / 3;
  extractSurface(field, LAYOUT); // warm-up (JIT)
  const times: number[] = [];
  let verts = 0,
    tris = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const mesh = extractSurface(field, LAYOUT);
    times.push(performance.now() - t0);
    verts = mesh.positions.length / 3;
    tris = mesh.indices.length / 3;
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(34)} ${String(field.parents).padStart(7)} ${String(voxels).padStart(10)} ${String(field.resolution).padStart(5)} ${String(verts).padStart(9)} ${String(tris).padStart(9)} ${ms.toFixed(0).padStart(8)} ${((verts / ms) * 1000).toFixed(0).padStart(12)} ${((voxels / ms) * 1000).toFixed(0).padStart(12)}`,
  );
}

console.log(`surface extraction (dual marching cubes path), median of repeats, node ${process.version}`);
console.log(
  `${'grid'.padEnd(34)} ${'struct'.padStart(7)} ${'fine vox'.padStart(10)} ${'res'.padStart(5)} ${'vertices'.padStart(9)} ${'triangles'.padStart(9)} ${'ms'.padStart(8)} ${'vertices/s'.padStart(12)} ${'voxels/s'.padStart(12)}`,
);
run('mini-sized (32³ → 128³)', 32, 1, 0.25, 0.4, 5);
run('SAM 3D-sized (64³ → 256³)', 64, 1.5, 0.3, 0.42, 2);
