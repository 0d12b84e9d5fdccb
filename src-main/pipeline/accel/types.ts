/**
 * Contracts between the samplers (pipeline-core: network calls, CFG, Euler) and the acceleration
 * policies (this folder: decide which steps / tokens to evaluate and predict the rest). Policies are
 * pure: no ONNX Runtime, no I/O. One policy instance serves one generation (one object, one stage).
 *
 * Semantics: docs/accelerations.md and ../shared/design/acceleration.md.
 */

/** The SS-stage latents / velocities: the shape tokens (L³×C flattened) and the four layout vectors. */
export type SsModality = 'shape' | 'rotation6d' | 'translation' | 'scale' | 'translationScale';
export const SS_MODALITIES: readonly SsModality[] = ['shape', 'rotation6d', 'translation', 'scale', 'translationScale'];
/** Layout modalities (everything but `shape`): the ones the paper's momentum anchor applies to. */
export const SS_LAYOUT_MODALITIES: readonly SsModality[] = ['rotation6d', 'translation', 'scale', 'translationScale'];

/** Guided (post-CFG) velocity per modality. */
export type SsVelocity = Record<SsModality, Float32Array>;

/**
 * SS step policy. Each step i (0-based) the sampler calls `needsEvaluation(i)`; if true it evaluates the
 * guided velocity (both CFG passes when guidance is on) and calls `record(i, v)`, otherwise it calls
 * `predict(i)` and uses the returned velocity (no network call). The returned arrays belong to the
 * caller (fresh copies).
 */
export interface SsStepPolicy {
  needsEvaluation(i: number): boolean;
  record(i: number, v: SsVelocity): void;
  predict(i: number): SsVelocity;
  /** One char per step decided so far: F full, c cached. */
  readonly pattern: string;
}

/**
 * What the SLaT sampler must do at step i.
 * - `cached`: use `v` (M×C, guided velocity) directly, no network call.
 * - `full`: run the guided network on the rows `keep` (ascending row indices into the M tokens, the
 *   coordinates cropped the same way; `null` = all rows), then hand the subset result to `complete`.
 */
export type SlatPlan = { kind: 'cached'; v: Float32Array } | { kind: 'full'; keep: Int32Array | null };

/**
 * SLaT step policy. Each step: `plan(i, x)` with the current latent x (M×C); on a `full` plan the sampler
 * evaluates the network on `keep` rows and calls `complete(i, x, vSubset, keep)` (vSubset: keep.length×C,
 * or M×C when keep is null), which returns the full M×C velocity to use in the Euler update (carved rows
 * get their previous velocity).
 */
export interface SlatStepPolicy {
  plan(i: number, x: Float32Array): SlatPlan;
  complete(i: number, x: Float32Array, vSubset: Float32Array, keep: Int32Array | null): Float32Array;
  /** One char per step decided so far: F full (all tokens), c cached, C full with carving. */
  readonly pattern: string;
  /** Token counts over the generation so far (for RunReport.schedules.slat). */
  readonly tokensEvaluated: number;
  readonly tokensCarved: number;
}

/** Uniform random numbers in [0, 1), seeded by the caller (reproducible runs). */
export type Rng = () => number;

/**
 * Construction context for one stage's policy. `createPolicies` is called once per stage with that
 * stage's context (the SLaT token count is only known after aggregation); the caller takes `.ss` from
 * the SS call and `.slat` from the SLaT call (construction is cheap, nothing is allocated up front).
 */
export interface PolicyContext {
  /** Number of Euler steps of this stage. */
  steps: number;
  /** t_0..t_steps (steps + 1 values, 0 = noise → 1 = data). */
  timeGrid: Float64Array;
  /** guidedSteps[i] = CFG is applied at step i (two network passes when evaluated). */
  guidedSteps: boolean[];
  /** Channels per token (SLaT: 8). SS: channels of the shape tokens (informational). */
  channels: number;
  /** Number of tokens (SLaT: M voxels; SS: L³ shape tokens). */
  numTokens: number;
  /** Per-token high-frequency score in [0, 1] (SLaT; from aggregateCoords scores). Absent → 0. */
  spatialScore?: Float32Array;
  rng: Rng;
}

export interface Policies {
  ss: SsStepPolicy;
  slat: SlatStepPolicy;
}

/** What the mesh-aggregation step should do for a method. */
export interface AggregationDecision {
  enabled: boolean;
  /** Fixed factor S (uniform-merge: 2); undefined = adaptive (HFER-driven). */
  fixedFactor?: number;
  /** Apply the offset fix (see docs/accelerations.md). */
  fixOffset: boolean;
  meshTauLow: number;
  meshTauHigh: number;
  meshSpectralWeight2d: number;
}

/** An RGBA cutout in memory (SAM 3D convention: RGB inside, white outside, alpha = mask). */
export interface Cutout {
  /** width×height×4, row-major; Uint8 0..255 or Float32 0..1. */
  rgba: Uint8Array | Float32Array;
  width: number;
  height: number;
}

export interface Hfer3dResult {
  /** High-frequency energy ratio of the occupancy logits, in [0, 1]. */
  hfer: number;
  /** Per-voxel high-frequency score, min-max normalised over occupied voxels, in row order of the
   *  occupied voxels (x-major order of the R³ grid: index = (x·R + y)·R + z), length = occupied count. */
  voxelScore: Float32Array;
}

export interface AggregationResult {
  /** M×3 int32 coordinates after the shrink, lexicographically sorted and unique. */
  coords: Int32Array;
  /** M fused (max) scores. */
  scores: Float32Array;
  /** Factor actually applied (after the N guards). 1 = identity. */
  factorUsed: number;
  /** Object-frame translation to add to decoded geometry when meshFixOffset is on ([0,0,0] otherwise). */
  offset: [number, number, number];
  /**
   * The part of the translation δ the geometry does not carry: δ when meshFixOffset is off ([0,0,0] when
   * it is on). Adding it puts the decoded geometry where the un-aggregated shape lies in the photo
   * (colour from photo looks the mesh up there).
   */
  unapplied: [number, number, number];
}
