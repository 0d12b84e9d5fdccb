/**
 * Quality of an accelerated run against its acceleration-off baseline, measured from their stored GLBs
 * with the project's metrics (docs/metrics.md: Chamfer, F1@τ, volume IoU in the baseline-normalised
 * frame). A fixed-seed sampler makes the numbers reproducible; identical meshes give F1 = 100.
 */
import { geometryMetrics, type GeometryMetrics } from '../pipeline/metrics';
import type { Mesh } from '../pipeline/types';

/** Small seeded uniform generator (mulberry32), fresh per surface as geometryMetrics requires. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Surface samples per mesh: enough for a stable F1 at τ = 0.05, small enough to stay well under a second. */
export const QUALITY_SAMPLES = 8000;

export function measureAgainstBaseline(result: Mesh, baseline: Mesh): GeometryMetrics {
  return geometryMetrics(result, baseline, { samples: QUALITY_SAMPLES, makeUniform: () => mulberry32(20260122) });
}
