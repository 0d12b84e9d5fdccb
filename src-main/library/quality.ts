/**
 * Quality of an accelerated run against its acceleration-off baseline, measured from their stored GLBs
 * and reports with the project's metrics (docs/metrics.md), the way the benchmark does (bench/evaluate.ts):
 *
 * - shape (Chamfer, F1@τ, volume IoU, colour L1) on the canonical mesh at the un-aggregated scale. The
 *   pipeline returns it so (`report.aggregation.meshAtObjectScale`); runs recorded by earlier versions
 *   stored the mesh decoded on the aggregated grid, 1/S the size with the layout scale carrying S, and are
 *   measured at `positions × S` with S = `report.aggregation.factor` (comparing raw meshes of an S = 2
 *   run and an S = 1 baseline would count a correct result as half its size);
 * - layout (oriented-box 3D IoU, rotation, translation and scale errors) in the camera frame, the box of
 *   each run being the object-frame bounding box of its own mesh under its own report layout. The layout
 *   is paired with the canonical mesh, i.e. its scale divided by S: the posed box is exactly the raw
 *   mesh's box under the report layout (S·(1/S) cancels), and the scale error compares the sizes the two
 *   runs give the object instead of counting S itself as an error (the raw scales of an S = 2 run and
 *   its S = 1 baseline differ by 2 for the same physical size).
 *
 * A fixed-seed sampler makes the numbers reproducible; identical runs give F1 = 100, CD = 0, 3D-IoU = 1.
 */
import { LayoutReportSchema } from '../../src-shared/report';
import { canonicalShape, geometryMetrics, layoutMetrics } from '../pipeline/metrics';
import { rngFunction } from '../pipeline/rng';
import type { Layout, Mesh } from '../pipeline/types';

/** Surface samples per mesh: enough for a stable F1 at τ = 0.05, small enough to stay well under a second. */
export const QUALITY_SAMPLES = 8000;
/** Seed and stream of the surface sampler (the benchmark's): fixed so a run measures the same every time. */
const METRIC_SEED = 20260;
const METRIC_STREAM = 9;

/** One run as the metrics see it. */
export interface RunShape {
  /** The mesh as stored (canonical object frame; 1/S the size under aggregation in earlier versions' runs). */
  mesh: Mesh;
  /** What the stored mesh is multiplied by to reach the object's size: S for earlier versions' runs, else 1. */
  factor: number;
  /** Camera-frame placement (its scale × `factor` where the mesh needs it); null when the report has none. */
  layout: Layout | null;
}

/** Metrics stored with a run: the shape metrics, plus the layout metrics when both runs have a layout. */
export type RunMetrics = Record<string, number>;

/** The factor and layout of a stored report; absent or malformed fields fall back to S = 1 / no layout. */
export function runShape(mesh: Mesh, report: unknown): RunShape {
  const r = (typeof report === 'object' && report !== null ? report : {}) as {
    aggregation?: { factor?: unknown; meshAtObjectScale?: unknown }; layout?: unknown;
  };
  const f = r.aggregation?.factor;
  const factor = r.aggregation?.meshAtObjectScale !== true && typeof f === 'number' && Number.isFinite(f) && f > 0 ? f : 1;
  const parsed = LayoutReportSchema.safeParse(r.layout);
  const layout = parsed.success && parsed.data.scale > 0 && [...parsed.data.rotation, ...parsed.data.translation].every(Number.isFinite)
    ? (parsed.data as Layout) : null;
  return { mesh, factor, layout };
}

export function measureAgainstBaseline(run: RunShape, baseline: RunShape): RunMetrics {
  const pred = canonicalShape(run.mesh, run.layout, run.factor);
  const ref = canonicalShape(baseline.mesh, baseline.layout, baseline.factor);
  const g = geometryMetrics(pred.mesh, ref.mesh, {
    samples: QUALITY_SAMPLES,
    makeUniform: () => rngFunction(METRIC_SEED, METRIC_STREAM),
  });
  const out: RunMetrics = { cd: g.cd, f1: g.f1, precision: g.precision, recall: g.recall, viou: g.viou, colorL1: g.colorL1 };
  if (pred.layout && ref.layout) Object.assign(out, layoutMetrics(pred.layout, pred.box, ref.layout, ref.box));
  // The run's metrics are a record of numbers: a non-finite value (degenerate box) is left out, not stored as null.
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Number.isFinite(v)));
}
