/**
 * Layout metrics in the camera frame: oriented-box 3D IoU, symmetry-aware geodesic rotation error,
 * relative translation error and scale ratio error. Convention (docs/model-pack.md): row vectors,
 * p_cam = (s·p)·R + t, so the column-form rotation acting on object points is Rᵀ.
 */
import type { Layout } from '../types';
import { orientedBoxIoU, type OrientedBox, type Vec3 } from './box-iou';

/**
 * Rotational symmetries of an object in its own frame (column-form 3×3 matrices, row-major), plus an
 * optional axis of continuous rotational symmetry. The identity is implied.
 */
export interface Symmetry {
  axis?: Vec3;
  /** Each element a 3×3 rotation as 9 numbers, row-major. */
  group?: number[][];
}

type Mat3 = number[]; // row-major 3×3

const mul = (a: Mat3, b: Mat3): Mat3 => {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[3 * i + j] += a[3 * i + k] * b[3 * k + j];
  return o;
};
const transpose = (a: Mat3): Mat3 => [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
const clampUnit = (x: number) => Math.max(-1, Math.min(1, x));
const deg = (r: number) => (r * 180) / Math.PI;

/** Geodesic angle (degrees) of a rotation matrix. */
export function rotationAngleDeg(m: Mat3): number {
  return deg(Math.acos(clampUnit((m[0] + m[4] + m[8] - 1) / 2)));
}

/**
 * Rotation error in degrees, minimised over the symmetry group. With a continuous axis a, the best twist
 * about a removes everything but the swing, whose angle is the angle between a and Δ·a.
 */
export function rotationErrorDeg(pred: Layout, ref: Layout, sym: Symmetry = {}): number {
  const Mp = transpose(pred.rotation);
  const Mg = transpose(ref.rotation);
  const delta = mul(transpose(Mg), Mp); // object-frame relative rotation
  const group: Mat3[] = [[1, 0, 0, 0, 1, 0, 0, 0, 1], ...(sym.group ?? [])];
  let best = Infinity;
  for (const g of group) {
    const d = mul(transpose(g), delta);
    let angle: number;
    if (sym.axis) {
      const a = sym.axis;
      const n = Math.hypot(a[0], a[1], a[2]);
      const u = [a[0] / n, a[1] / n, a[2] / n];
      const du = [0, 1, 2].map((i) => d[3 * i] * u[0] + d[3 * i + 1] * u[1] + d[3 * i + 2] * u[2]);
      angle = deg(Math.acos(clampUnit(du[0] * u[0] + du[1] * u[1] + du[2] * u[2])));
    } else {
      angle = rotationAngleDeg(d);
    }
    best = Math.min(best, angle);
  }
  return best;
}

/** Oriented camera-frame box of an object whose object-frame bounding box is [min, max]. */
export function layoutBox(layout: Layout, bboxMin: Vec3, bboxMax: Vec3): OrientedBox {
  const R = layout.rotation;
  const c = [0, 1, 2].map((d) => (bboxMin[d] + bboxMax[d]) / 2);
  const center: Vec3 = [0, 1, 2].map(
    (j) => layout.scale * (c[0] * R[j] + c[1] * R[3 + j] + c[2] * R[6 + j]) + layout.translation[j],
  ) as Vec3;
  const axes = [0, 1, 2].map((k) => [R[3 * k], R[3 * k + 1], R[3 * k + 2]] as Vec3) as [Vec3, Vec3, Vec3];
  const half = [0, 1, 2].map((d) => Math.max(1e-9, (layout.scale * (bboxMax[d] - bboxMin[d])) / 2)) as Vec3;
  return { center, axes, half };
}

/**
 * The same layout moved along its viewing ray by k (t·k, s·k): an object k times larger at k times the
 * distance, which casts the same image.
 */
export function alongRay(layout: Layout, k: number): Layout {
  const t = layout.translation;
  return { ...layout, translation: [t[0] * k, t[1] * k, t[2] * k], scale: layout.scale * k };
}

export interface LayoutMetrics {
  iou3d: number;
  /**
   * 3D-IoU after the prediction is moved along its viewing ray to the reference's distance, scaled with
   * it: t·k and s·k with k = |t_ref| / |t_pred|. Without depth input (no pointmap), an object k times
   * larger at k times the distance casts the same image, so one photo fixes only their ratio; this
   * separates that ambiguity from errors in direction, rotation and the scale-to-distance ratio (as
   * monocular depth benchmarks align the median depth). A diagnostic beside 3D-IoU, not a replacement.
   */
  iou3dDepthAligned: number;
  rotationErrorDeg: number;
  /** |t_pred − t_ref| / |t_ref|. */
  translationError: number;
  /** |s_pred / s_ref − 1|. */
  scaleError: number;
}

export function layoutMetrics(
  pred: Layout, predBox: [Vec3, Vec3], ref: Layout, refBox: [Vec3, Vec3], sym: Symmetry = {},
): LayoutMetrics {
  const iou3d = orientedBoxIoU(layoutBox(pred, ...predBox), layoutBox(ref, ...refBox));
  const dt = Math.hypot(...[0, 1, 2].map((d) => pred.translation[d] - ref.translation[d]));
  const tn = Math.hypot(...ref.translation);
  const tp = Math.hypot(...pred.translation);
  const k = tp > 0 ? tn / tp : 1;
  return {
    iou3d,
    iou3dDepthAligned: orientedBoxIoU(layoutBox(alongRay(pred, k), ...predBox), layoutBox(ref, ...refBox)),
    rotationErrorDeg: rotationErrorDeg(pred, ref, sym),
    translationError: tn > 0 ? dt / tn : dt,
    scaleError: Math.abs(pred.scale / ref.scale - 1),
  };
}
