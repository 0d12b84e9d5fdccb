/**
 * How much 3D-IoU one photo allows without a depth cue: the ceiling of the 3D-IoU target.
 *
 * A photo fixes an object's shape, rotation, direction and apparent size, but not its distance: the object
 * k× larger at k× the distance casts the same image. So a reconstruction that is exact in everything the
 * photo shows must still guess the depth, and the best guess depends on how the scenes were drawn. The
 * generator (tools/fastsam3d_tools/data/camera.py, `sample_layout`) draws the depth z uniformly, the scale
 * s uniformly and independently, and the centre uniformly within ±c·z across the frame. Seen through the
 * photo (apparent size ρ = s/z, image position u = x/z, v = y/z) the posterior of z is
 *
 *   p(z | ρ, u, v) ∝ p(z) · p(s = ρz) · (1 / (2cz))² · z³  ∝  z   on  [max(z₀, s₀/ρ), min(z₁, s₁/ρ)],
 *
 * (z³: the change of variables from s, x, y to ρ, u, v; the centre's density 1/(2cz)² per axis), whatever
 * the object. The Bayes depth maximises the expected 3D-IoU under that posterior; the ceiling is that
 * expected 3D-IoU (and, for this set's actual depths, the 3D-IoU at that depth: "realised"). Moving a
 * layout along its ray by k moves both boxes together, so the 3D-IoU of a guess z′ against a truth z is a
 * function of z′/z alone, computed once per object.
 */
import { layoutBox } from '../src-main/pipeline/metrics/layout-error';
import { orientedBoxIoU, type Vec3 } from '../src-main/pipeline/metrics/box-iou';
import type { Layout } from '../src-main/pipeline/types';

/** The generator's layout distribution (benchmark index.json `layoutPrior`): uniform camera-z depth and scale. */
export interface LayoutPrior {
  depth: [number, number];
  scale: [number, number];
}

export interface ObjectDepthCeiling {
  /** Expected 3D-IoU at the Bayes depth, over the depths the photo allows. */
  expected: number;
  /** 3D-IoU at the Bayes depth against this object's actual depth. */
  realised: number;
  /** The Bayes depth (camera z) and the interval of depths the photo and the prior allow. */
  depth: number;
  feasible: [number, number];
}

const POSTERIOR_POINTS = 256;
const CANDIDATES = 128;
const RATIO_POINTS = 1025;

function alongRay(l: Layout, k: number): Layout {
  return { ...l, translation: [l.translation[0] * k, l.translation[1] * k, l.translation[2] * k], scale: l.scale * k };
}

/**
 * The ceiling for one object (its ground-truth layout and canonical box). Null when its apparent size is
 * outside what the prior can produce (not a scene of this generator).
 */
export function objectDepthCeiling(layout: Layout, bbox: [Vec3, Vec3], prior: LayoutPrior): ObjectDepthCeiling | null {
  const z = layout.translation[2];
  if (!(z > 0) || !(layout.scale > 0)) return null;
  const rho = layout.scale / z;
  const lo = Math.max(prior.depth[0], prior.scale[0] / rho);
  const hi = Math.min(prior.depth[1], prior.scale[1] / rho);
  const eps = 1e-9 * z;
  if (lo > hi + eps) return null;
  if (hi - lo <= eps) return { expected: 1, realised: 1, depth: z, feasible: [lo, hi] };

  const truth = layoutBox(layout, ...bbox);
  // 3D-IoU of the layout moved along its ray by k, against itself, for k in [lo/hi, hi/lo] (log-spaced).
  const kMin = lo / hi, logSpan = Math.log(hi / lo) * 2;
  const iouAt = new Float64Array(RATIO_POINTS);
  for (let i = 0; i < RATIO_POINTS; i++) {
    iouAt[i] = orientedBoxIoU(layoutBox(alongRay(layout, kMin * Math.exp((logSpan * i) / (RATIO_POINTS - 1))), ...bbox), truth);
  }
  const iouOfRatio = (k: number): number => {
    const x = Math.min(Math.max((Math.log(k / kMin) / logSpan) * (RATIO_POINTS - 1), 0), RATIO_POINTS - 1);
    const i = Math.min(Math.floor(x), RATIO_POINTS - 2);
    return iouAt[i] + (x - i) * (iouAt[i + 1] - iouAt[i]);
  };

  const zs = Float64Array.from({ length: POSTERIOR_POINTS }, (_, j) => lo + ((hi - lo) * (j + 0.5)) / POSTERIOR_POINTS);
  const weightSum = zs.reduce((a, v) => a + v, 0); // posterior ∝ z
  const expectedAt = (guess: number) => zs.reduce((a, zj) => a + zj * iouOfRatio(guess / zj), 0) / weightSum;
  // A grid over the feasible depths, then a finer grid around the best (the expectation is smooth).
  let best = lo, bestE = -1;
  const scan = (from: number, to: number) => {
    for (let c = 0; c < CANDIDATES; c++) {
      const g = from + ((to - from) * c) / (CANDIDATES - 1);
      const e = expectedAt(g);
      if (e > bestE) [best, bestE] = [g, e];
    }
  };
  scan(lo, hi);
  const step = (hi - lo) / (CANDIDATES - 1);
  scan(Math.max(lo, best - step), Math.min(hi, best + step));
  return { expected: bestE, realised: iouOfRatio(best / z), depth: best, feasible: [lo, hi] };
}

export interface SetDepthCeiling {
  prior: LayoutPrior;
  /** Means over the objects that fit the prior. */
  expected: number;
  realised: number;
  perObject: ({ id: string } & ObjectDepthCeiling)[];
}

export function setDepthCeiling(items: { id: string; layout: Layout; bbox: [Vec3, Vec3] }[], prior: LayoutPrior): SetDepthCeiling | null {
  const perObject = items.flatMap((it) => {
    const c = objectDepthCeiling(it.layout, it.bbox, prior);
    return c ? [{ id: it.id, ...c }] : [];
  });
  if (perObject.length === 0) return null;
  const mean = (f: (c: ObjectDepthCeiling) => number) => perObject.reduce((a, c) => a + f(c), 0) / perObject.length;
  return { prior, expected: mean((c) => c.expected), realised: mean((c) => c.realised), perObject };
}
