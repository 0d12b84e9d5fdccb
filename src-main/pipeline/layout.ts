/**
 * Layout decoding (docs/model-pack.md, "Frames"): 6D rotation → R with rows b1, b2, b3 → quaternion;
 * uniform scale = mean(exp(x_scale)) (× the aggregation factor S for a mesh decoded on the aggregated grid,
 * `decodeLayout`'s `factor`); translation as predicted.
 */
import type { Manifest } from './pack/manifest-schema';
import type { Layout, Mesh } from './types';

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (!(n > 1e-12)) throw new Error('degenerate 6D rotation (zero-length basis vector)');
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** R (row-major, rows b1, b2, b3) from an un-normalised 6D vector. */
export function rotationFrom6d(r6: ArrayLike<number>): number[] {
  const b1 = normalize([r6[0], r6[1], r6[2]]);
  const a2 = [r6[3], r6[4], r6[5]];
  const dot = b1[0] * a2[0] + b1[1] * a2[1] + b1[2] * a2[2];
  const b2 = normalize([a2[0] - dot * b1[0], a2[1] - dot * b1[1], a2[2] - dot * b1[2]]);
  const b3 = [b1[1] * b2[2] - b1[2] * b2[1], b1[2] * b2[0] - b1[0] * b2[2], b1[0] * b2[1] - b1[1] * b2[0]];
  return [...b1, ...b2, ...b3];
}

/**
 * Unit quaternion [w, x, y, z] of the matrix R as stored (PyTorch3D `matrix_to_quaternion(R)`),
 * sign chosen with w ≥ 0.
 */
export function quaternionOf(r: number[]): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = r;
  const tr = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = s / 4;
    x = (m21 - m12) / s;
    y = (m02 - m20) / s;
    z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s;
    x = s / 4;
    y = (m01 + m10) / s;
    z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s;
    x = (m01 + m10) / s;
    y = s / 4;
    z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s;
    x = (m02 + m20) / s;
    y = (m12 + m21) / s;
    z = s / 4;
  }
  const n = Math.hypot(w, x, y, z);
  const sign = w < 0 ? -1 : 1;
  return [(sign * w) / n, (sign * x) / n, (sign * y) / n, (sign * z) / n];
}

/** Decode the final SS layout tokens into a Layout (scale already multiplied by `factor`). */
export function decodeLayout(
  state: { rotation6d: Float32Array; translation: Float32Array; scale: Float32Array },
  m: Manifest,
  factor: number,
): Layout {
  const r6 = Array.from(state.rotation6d, (v, q) => v * m.ss.rotation6dStd[q] + m.ss.rotation6dMean[q]);
  const rotation = rotationFrom6d(r6);
  const s = (Math.exp(state.scale[0]) + Math.exp(state.scale[1]) + Math.exp(state.scale[2])) / 3;
  return {
    rotation,
    quaternion: quaternionOf(rotation),
    translation: [state.translation[0], state.translation[1], state.translation[2]],
    scale: s * factor,
  };
}

/**
 * A mesh decoded on a grid aggregated by `factor` (1/S the object's size), and the layout that places it
 * (scale × S), in the un-aggregated object frame: positions × S, scale / S, the same posed object. Normals
 * keep their directions under a uniform scale. The pipeline returns its meshes so; the metrics bring runs
 * recorded before that to it.
 */
export function atObjectScale<L extends Layout | null>(mesh: Mesh, layout: L, factor: number): { mesh: Mesh; layout: L } {
  if (factor === 1) return { mesh, layout };
  const placed = (layout && { ...layout, scale: layout.scale / factor }) as L;
  return { mesh: { ...mesh, positions: mesh.positions.map((v) => v * factor) }, layout: placed };
}
