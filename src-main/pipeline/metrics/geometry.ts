/**
 * Shape metrics in the canonical object frame (docs/metrics.md): both meshes are normalised by the
 * reference's bounding box (centred, longest side 1), so a wrong size counts; then Chamfer distance,
 * F1@τ, colour error on matched surface points, and the IoU of the solid occupancies at 64³.
 */
import type { Mesh } from '../types';
import { KdTree, nearestDistances } from './kdtree';
import { boundingBox, sampleSurface } from './surface-sample';
import { occupancyIoU, voxelizeSolid } from './voxelize';

export interface GeometryMetrics {
  /** Chamfer distance ½(mean_a min_b |a−b| + mean_b min_a |a−b|), L2, in reference-normalised units. */
  cd: number;
  /** F1@τ in percent (0-100). */
  f1: number;
  precision: number;
  recall: number;
  /**
   * IoU of the solid occupancies voxelised at `voxelResolution`³ in the normalised frame, over the
   * smallest origin-centred cube that holds both shapes.
   */
  viou: number;
  /** Mean RGB L1 error (0-255) of colours at matched surface points (nearest reference sample). */
  colorL1: number;
}

export interface GeometryOptions {
  samples?: number;
  tau?: number;
  voxelResolution?: number;
  /**
   * Returns a fresh uniform [0,1) generator with a fixed seed. Each surface gets its own generator from
   * the same seed, so identical meshes give identical samples (CD exactly 0, F1 exactly 100).
   */
  makeUniform: () => () => number;
}

/** Apply p → (p − centre)·k to every position (returns a new mesh sharing colours and indices). */
export function transformMesh(mesh: Mesh, centre: readonly number[], k: number): Mesh {
  const out = new Float32Array(mesh.positions.length);
  for (let i = 0; i < out.length; i += 3) {
    for (let d = 0; d < 3; d++) out[i + d] = (mesh.positions[i + d] - centre[d]) * k;
  }
  return { ...mesh, positions: out, normals: undefined };
}

/** The reference-bbox normalisation of metrics.md, applied to both meshes. */
export function normaliseByReference(pred: Mesh, ref: Mesh): { pred: Mesh; ref: Mesh } {
  const { min, max } = boundingBox(ref.positions);
  const centre = [0, 1, 2].map((d) => (min[d] + max[d]) / 2);
  const longest = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  if (!(longest > 0)) throw new Error('reference mesh has an empty bounding box');
  return { pred: transformMesh(pred, centre, 1 / longest), ref: transformMesh(ref, centre, 1 / longest) };
}

/** Chamfer distance and F1 between two point sets (no normalisation). */
export function chamferAndF1(a: Float32Array, b: Float32Array, tau: number) {
  const ta = new KdTree(a), tb = new KdTree(b);
  const ab = nearestDistances(a, tb);
  const ba = nearestDistances(b, ta);
  const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const share = (x: Float64Array) => x.reduce((s, v) => s + (v < tau ? 1 : 0), 0) / x.length;
  const precision = share(ab.dist); // predicted (a) points near the reference (b)
  const recall = share(ba.dist);
  const f1 = precision + recall > 0 ? (100 * 2 * precision * recall) / (precision + recall) : 0;
  return { cd: 0.5 * (mean(ab.dist) + mean(ba.dist)), f1, precision, recall, refToPred: ba };
}

export function geometryMetrics(predIn: Mesh, refIn: Mesh, opts: GeometryOptions): GeometryMetrics {
  const samples = opts.samples ?? 20_000;
  const tau = opts.tau ?? 0.05;
  const res = opts.voxelResolution ?? 64;
  const { pred, ref } = normaliseByReference(predIn, refIn);
  const sp = sampleSurface(pred, samples, opts.makeUniform());
  const sr = sampleSurface(ref, samples, opts.makeUniform());
  const { cd, f1, precision, recall, refToPred } = chamferAndF1(sp.points, sr.points, tau);
  let colorSum = 0;
  for (let i = 0; i < samples; i++) {
    const j = refToPred.index[i];
    for (let k = 0; k < 3; k++) colorSum += Math.abs(sr.colors[3 * i + k] - sp.colors[3 * j + k]);
  }
  const colorL1 = (255 * colorSum) / (3 * samples);
  // The grid is the smallest origin-centred cube holding the reference's unit box and the prediction,
  // so a prediction that is too large is not cut off.
  const pb = boundingBox(pred.positions);
  const extent = Math.max(0.5, ...pb.min.map(Math.abs), ...pb.max.map(Math.abs));
  const viou = occupancyIoU(voxelizeSolid(pred, res, -extent, extent), voxelizeSolid(ref, res, -extent, extent));
  return { cd, f1, precision, recall, viou, colorL1 };
}
