/**
 * How much 3D-IoU one photo allows without a depth cue: the ceiling of the 3D-IoU target.
 *
 * A photo fixes an object's shape, rotation, direction and apparent size, but not its distance: the object
 * k× larger at k× the distance casts the same image. So a reconstruction that is exact in everything the
 * photo shows must still guess the depth, and the best guess depends on how the scenes were drawn. The
 * generator (tools/fastsam3d_tools/data/camera.py `sample_layout`, scene.py `make_scene`) draws the depth
 * z and the scale s uniformly and independently, and the centre uniformly within ±c(ρ)·z across the frame
 * (its margin is a share of z less a share of s, so its half-width over z depends on the apparent size
 * ρ = s/z alone). Seen through the photo (ρ, image position u = x/z, v = y/z) the posterior of z is
 *
 *   p(z | ρ, u, v) ∝ p(z) · p(s = ρz) · (1 / (2c(ρ)z))² · z³  ∝  z   on  [max(z₀, s₀/ρ), min(z₁, s₁/ρ)]
 *
 * (z³: the change of variables from s, x, y to ρ, u, v). An occluder in front is the one other depth cue:
 * its depth is the target's times a uniform factor f and its scale s′ is uniform, so its apparent size
 * ρ′ = s′/(f·z) makes r = ρ′z = s′/f, whose density p_r is a ratio of uniforms; each visible occluder
 * multiplies the posterior by z·p_r(ρ′z). The Bayes depth maximises the expected 3D-IoU under the
 * posterior; the ceiling is that expectation ("expected"; "realised": the 3D-IoU at that depth against the
 * object's actual one). Moving a layout along its ray by k moves its box about the camera, so the 3D-IoU of
 * a guess z′ against a truth z is a function of z′/z alone, computed once per object.
 */
import { alongRay, layoutBox } from '../src-main/pipeline/metrics/layout-error';
import { orientedBoxIoU, type Vec3 } from '../src-main/pipeline/metrics/box-iou';
import type { Layout } from '../src-main/pipeline/types';

type Range = [number, number];

/** The generator's layout distribution (benchmark index.json `layoutPrior`). */
export interface LayoutPrior {
  /** Target depth (camera z) and scale, uniform. */
  depth: Range;
  scale: Range;
  /** An occluder's depth as a share of the target's, and its scale, uniform (absent in older sets). */
  occluder?: { depthFactor: Range; scale: Range };
}

export interface ObjectDepthCeiling {
  /** Expected 3D-IoU at the Bayes depth, over the depths the photo allows. */
  expected: number;
  /** 3D-IoU at the Bayes depth against this object's actual depth. */
  realised: number;
  /** The Bayes depth (camera z) and the interval of depths the photo and the prior allow. */
  depth: number;
  feasible: Range;
  /** Occluders whose apparent size narrowed the posterior. */
  occluders: number;
}

const POSTERIOR_POINTS = 256;
const CANDIDATES = 128;
const RATIO_POINTS = 1025;

/** Density of r = s/f for s ~ U(scale), f ~ U(factor): ∫ p_f(f) p_s(r f) f df = [f²/2] over the f that fit. */
function ratioDensity(r: number, scale: Range, factor: Range): number {
  const lo = Math.max(factor[0], scale[0] / r);
  const hi = Math.min(factor[1], scale[1] / r);
  if (!(hi > lo)) return 0;
  return (hi * hi - lo * lo) / 2 / ((factor[1] - factor[0]) * (scale[1] - scale[0]));
}

/**
 * The posterior of the target's depth given its apparent size and the occluders' (unnormalised weights on
 * a midpoint grid over the depths it allows), or null when nothing in the prior fits.
 */
export function depthPosterior(
  rho: number, prior: LayoutPrior, occluderRhos: readonly number[] = [], points = POSTERIOR_POINTS,
): { lo: number; hi: number; zs: Float64Array; weights: Float64Array } | null {
  let lo = Math.max(prior.depth[0], prior.scale[0] / rho);
  let hi = Math.min(prior.depth[1], prior.scale[1] / rho);
  const occ = prior.occluder;
  const cues = occ ? occluderRhos : [];
  for (const r of cues) {
    // r·z = s′/f must lie in [s′₀/f₁, s′₁/f₀]
    lo = Math.max(lo, occ!.scale[0] / occ!.depthFactor[1] / r);
    hi = Math.min(hi, occ!.scale[1] / occ!.depthFactor[0] / r);
  }
  if (!(hi >= lo)) return null;
  const zs = Float64Array.from({ length: points }, (_, j) => lo + ((hi - lo) * (j + 0.5)) / points);
  const weights = zs.map((z) => cues.reduce((w, r) => w * z * ratioDensity(r * z, occ!.scale, occ!.depthFactor), z));
  if (!(weights.reduce((a, w) => a + w, 0) > 0)) return null;
  return { lo, hi, zs, weights };
}

/**
 * The ceiling for one object (its ground-truth layout and canonical box, and the layouts of the occluders
 * visible in front of it). Null when the object is not a scene this prior can produce.
 */
export function objectDepthCeiling(
  layout: Layout, bbox: [Vec3, Vec3], prior: LayoutPrior, occluders: readonly Layout[] = [],
): ObjectDepthCeiling | null {
  const z = layout.translation[2];
  if (!(z > 0) || !(layout.scale > 0)) return null;
  const occluderRhos = occluders.filter((o) => o.translation[2] > 0 && o.scale > 0).map((o) => o.scale / o.translation[2]);
  const post = depthPosterior(layout.scale / z, prior, occluderRhos);
  const eps = 1e-9 * z;
  if (!post || z < post.lo - eps || z > post.hi + eps) return null;
  const { lo, hi, zs, weights } = post;
  const cues = prior.occluder ? occluderRhos.length : 0;
  if (hi - lo <= eps) return { expected: 1, realised: 1, depth: z, feasible: [lo, hi], occluders: cues };

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

  const weightSum = weights.reduce((a, w) => a + w, 0);
  const expectedAt = (guess: number) => zs.reduce((a, zj, j) => a + weights[j] * iouOfRatio(guess / zj), 0) / weightSum;
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
  return { expected: bestE, realised: iouOfRatio(best / z), depth: best, feasible: [lo, hi], occluders: cues };
}

export interface SetDepthCeiling {
  prior: LayoutPrior;
  /** Means over the objects that fit the prior. */
  expected: number;
  realised: number;
  perObject: ({ id: string } & ObjectDepthCeiling)[];
}

export function setDepthCeiling(
  items: { id: string; layout: Layout; bbox: [Vec3, Vec3]; occluderLayouts?: Layout[] }[], prior: LayoutPrior,
): SetDepthCeiling | null {
  const perObject = items.flatMap((it) => {
    const c = objectDepthCeiling(it.layout, it.bbox, prior, it.occluderLayouts ?? []);
    return c ? [{ id: it.id, ...c }] : [];
  });
  if (perObject.length === 0) return null;
  const mean = (f: (c: ObjectDepthCeiling) => number) => perObject.reduce((a, c) => a + f(c), 0) / perObject.length;
  return { prior, expected: mean((c) => c.expected), realised: mean((c) => c.realised), perObject };
}
