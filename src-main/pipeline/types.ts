/**
 * Data types that cross stage boundaries in the pipeline (and reach export). Plain arrays only, so they
 * can be posted between processes and written by any writer.
 */

/** A triangle mesh. Positions are in the object frame (z-up, inside [-0.5, 0.5]³) unless stated. */
export interface Mesh {
  /** V×3 positions. */
  positions: Float32Array;
  /** V×3 vertex colours, sRGB-encoded, 0..1. */
  colors: Float32Array;
  /** V×3 unit normals (optional; writers compute them when absent). */
  normals?: Float32Array;
  /** F×3 triangle indices, counter-clockwise seen from outside. */
  indices: Uint32Array;
}

/**
 * Object placement in the camera frame (PyTorch3D: x left, y up, z forward), row-vector convention:
 * p_cam = (scale · p_obj) · R + translation. See docs/model-pack.md.
 */
export interface Layout {
  /** 3×3 rotation, row-major; rows are b1, b2, b3 of the 6D decoding. */
  rotation: number[];
  /** The same rotation as a unit quaternion [w, x, y, z]. */
  quaternion: [number, number, number, number];
  translation: [number, number, number];
  /** Uniform scale: the predicted one, for the mesh a run returns (in the un-aggregated object frame). */
  scale: number;
}

/** Camera of the source photo, for scene export: square full frame, field of view across its side. */
export interface CameraInfo {
  fovDeg: number;
  /** Original image size in pixels (before padding to a square). */
  width: number;
  height: number;
}

/** Sparse voxel set with per-voxel features (N rows of `channels`). */
export interface SparseFeatures {
  /** N×3 int32 voxel coordinates on a grid of `resolution`. */
  coords: Int32Array;
  feats: Float32Array;
  channels: number;
  resolution: number;
}

/**
 * Ground-truth stage outputs for one object (`bench --oracle`, tools' oracle_inputs): each present field
 * replaces what the pipeline computed at that point, every later stage stays real, so the benchmark can
 * say which stage loses the quality.
 */
export interface StageOracle {
  /** SS shape tokens (L³ × C, token-major, as x_shape), in place of the sampled ones before the SS decoder. */
  ssShape?: Float32Array;
  /** Occupancy logits (R³, voxel (i, j, k) at (i·R + j)·R + k), in place of the SS decoder's. */
  occupancyLogits?: Float32Array;
  /** Normalised structured latent of these voxels (N × C), in place of the sampled one. */
  slat?: { coords: Int32Array; latent: Float32Array };
}
