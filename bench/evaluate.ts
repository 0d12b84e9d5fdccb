/** Quality of one run against a reference (ground truth or the acceleration-off output). */
import { canonicalShape, geometryMetrics, layoutMetrics, renderedViewMetrics, type Symmetry } from '../src-main/pipeline/metrics';
import { Rng } from '../src-main/pipeline/rng';
import type { Layout, Mesh } from '../src-main/pipeline/types';

export interface Quality {
  cd: number; f1: number; viou: number; colorL1: number;
  /** F1's halves in % (docs/metrics.md): predicted samples near the reference, and the converse. */
  precision: number; recall: number;
  iou3d: number; iou3dDepthAligned: number; rotationErrorDeg: number; translationError: number; scaleError: number;
  /** Rendered-view PSNR (dB, capped) and SSIM (luma), 8 fixed views (docs/metrics.md). */
  psnr: number; ssim: number;
}

export interface Shape {
  /** Canonical mesh at the un-aggregated scale (as the pipeline returns it: the shape the posed output implies). */
  canonical: Mesh;
  /** The layout that places `canonical`. */
  layout: Layout;
  bbox: [[number, number, number], [number, number, number]];
}

/** A run's output as the metrics see it (src-main/pipeline/metrics/canonical.ts). */
export function shapeOf(mesh: Mesh, layout: Layout): Shape {
  const c = canonicalShape(mesh, layout, 1);
  return { canonical: c.mesh, layout: c.layout, bbox: c.box };
}

const METRIC_SEED = 20260;

export function quality(pred: Shape, ref: Shape, symmetry: Symmetry = {}, samples = 20_000): Quality {
  const g = geometryMetrics(pred.canonical, ref.canonical, {
    samples,
    makeUniform: () => {
      const r = new Rng(METRIC_SEED, 9);
      return () => r.uniform();
    },
  });
  const l = layoutMetrics(pred.layout, pred.bbox, ref.layout, ref.bbox, symmetry);
  const v = renderedViewMetrics(pred.canonical, ref.canonical);
  return {
    cd: g.cd, f1: g.f1, precision: 100 * g.precision, recall: 100 * g.recall, viou: g.viou, colorL1: g.colorL1, ...l,
    psnr: v.psnr, ssim: v.ssim,
  };
}
