/** Quality of one run against a reference (ground truth or the acceleration-off output). */
import { boundingBox, geometryMetrics, layoutMetrics, type Symmetry } from '../src-main/pipeline/metrics';
import { Rng } from '../src-main/pipeline/rng';
import type { Layout, Mesh } from '../src-main/pipeline/types';

export interface Quality {
  cd: number; f1: number; viou: number; colorL1: number;
  iou3d: number; rotationErrorDeg: number; translationError: number; scaleError: number;
}

export interface Shape {
  /** Canonical mesh at the un-aggregated scale (positions × S: the shape the posed output implies). */
  canonical: Mesh;
  /** Mesh and layout as the pipeline returned them (for the posed box). */
  layout: Layout;
  bbox: [[number, number, number], [number, number, number]];
}

export function scaleMesh(mesh: Mesh, k: number): Mesh {
  if (k === 1) return mesh;
  return { ...mesh, positions: mesh.positions.map((v) => v * k), normals: undefined };
}

export function shapeOf(mesh: Mesh, layout: Layout, factor: number): Shape {
  const b = boundingBox(mesh.positions);
  return { canonical: scaleMesh(mesh, factor), layout, bbox: [b.min, b.max] };
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
  return { cd: g.cd, f1: g.f1, viou: g.viou, colorL1: g.colorL1, ...l };
}
