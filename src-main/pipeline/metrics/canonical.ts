/**
 * The shape a run's output implies at the un-aggregated scale. With spectral aggregation the decoded
 * mesh is 1/S the size and the layout scale carries S; metrics compare `positions × S` placed by a layout
 * of scale `scale / S` — the same posed object — so a correct S = 2 result is neither measured at half
 * size nor given a scale error of 1. Used by the benchmark and the library alike.
 */
import type { Vec3 } from './box-iou';
import { boundingBox } from './surface-sample';
import { atObjectScale } from '../layout';
import type { Layout, Mesh } from '../types';

export interface CanonicalShape<L extends Layout | null = Layout> {
  mesh: Mesh;
  layout: L;
  /** Object-frame bounding box of `mesh` (for the oriented layout box). */
  box: [Vec3, Vec3];
}

export function canonicalShape<L extends Layout | null>(mesh: Mesh, layout: L, factor: number): CanonicalShape<L> {
  const scaled = atObjectScale(mesh, layout, factor);
  const b = boundingBox(scaled.mesh.positions);
  return { mesh: scaled.mesh, layout: scaled.layout, box: [b.min, b.max] };
}
