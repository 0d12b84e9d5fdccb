/**
 * Surface extraction stage: mesh decoder features on the fine sparse grid → coloured triangle mesh in the
 * object frame (z-up, inside [-0.5, 0.5]³ up to half a voxel of deformation). Pure TypeScript.
 */
import { MESH_LAYOUT_WIDTHS, meshLayoutProblem, type Manifest } from '../pack/manifest-schema';
import type { Mesh } from '../types';
import { flexiCubes } from './flexicubes';

export { computeVertexNormals } from './normals';

/** The part of `manifest.decoders.mesh` the extractor reads. */
export type MeshDecoderLayout = Pick<Manifest['decoders']['mesh'], 'layout' | 'sdfBias' | 'colorActivation'>;

export interface FineFeatures {
  /** M×3 int32 voxel coordinates at the fine resolution (parent-major order is fine; any order works). */
  coords: Int32Array;
  /** M×F decoder features. */
  feats: Float32Array;
  channels: number;
  resolution: number;
}

/** Nothing in the field crosses zero: the decoder predicted no inside (or no outside) region. */
export class NoSurfaceError extends Error {
  override readonly name = 'NoSurfaceError';
  readonly code = 'NO_SURFACE';
  constructor(
    message = 'No surface found: the decoded field never crosses zero. Try another mask, more steps, or a less aggressive acceleration preset.',
  ) {
    super(message);
  }
}

/** Bad arguments to extractSurface (a programming or pack error, not user input). */
export class SurfaceInputError extends Error {
  override readonly name = 'SurfaceInputError';
}


/**
 * FlexiCubes on the sparse fine grid (dual marching cubes when deform and weights are null).
 * Throws NoSurfaceError when no surface exists, SurfaceInputError when the arrays do not match.
 */
export function extractSurface(fine: FineFeatures, mesh: MeshDecoderLayout): Mesh {
  const { coords, feats, channels, resolution } = fine;
  if (!Number.isInteger(resolution) || resolution < 1)
    throw new SurfaceInputError(`resolution must be a positive integer, got ${resolution}`);
  if (coords.length % 3 !== 0) throw new SurfaceInputError(`coords has ${coords.length} values, not a multiple of 3`);
  const m = coords.length / 3;
  if (feats.length !== m * channels)
    throw new SurfaceInputError(
      `feats has ${feats.length} values, expected ${m} voxels × ${channels} channels = ${m * channels}`,
    );
  const { layout } = mesh;
  for (const [name, rule] of Object.entries(MESH_LAYOUT_WIDTHS) as [keyof typeof MESH_LAYOUT_WIDTHS, (typeof MESH_LAYOUT_WIDTHS)['sdf']][]) {
    const problem = meshLayoutProblem(layout[name], rule, channels);
    if (problem) throw new SurfaceInputError(`decoders.mesh.layout.${name} ${problem}`);
  }
  for (let i = 0; i < coords.length; i++) {
    if (coords[i] < 0 || coords[i] >= resolution) {
      const n = Math.floor(i / 3);
      throw new SurfaceInputError(
        `voxel ${n} = (${coords[3 * n]}, ${coords[3 * n + 1]}, ${coords[3 * n + 2]}) lies outside the ${resolution}³ grid`,
      );
    }
  }
  if (m === 0) throw new NoSurfaceError('No surface found: the sparse structure has no voxels.');
  const out = flexiCubes({
    coords,
    feats,
    channels,
    resolution,
    sdf: layout.sdf,
    deform: layout.deform,
    weights: layout.weights,
    color: layout.color,
    sdfBias: mesh.sdfBias,
    colorActivation: mesh.colorActivation,
  });
  if (out.indices.length === 0) throw new NoSurfaceError();
  return out;
}
