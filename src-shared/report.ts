/**
 * The run report: what every pipeline run returns and the library stores with it (issue 3, item 6).
 * Plain JSON; the schema validates reports read back from disk or received from the worker.
 */
import { z } from 'zod';
import { METHODS } from './params';

export const STAGE_NAMES = [
  'condition',
  'ssSampling',
  'ssDecode',
  'aggregation',
  'slatSampling',
  'meshDecode',
  'surface',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const StageTimingSchema = z.object({
  ms: z.number().nonnegative(),
  /** ONNX session runs in this stage (a guided step counts two: conditional + unconditional). */
  networkPasses: z.number().int().nonnegative(),
});
export type StageTiming = z.infer<typeof StageTimingSchema>;

/** Per-step schedule of one sampler: one character per step — F full, c cached, C full with carving. */
export const ScheduleSchema = z.object({
  pattern: z.string(),
  full: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
  carved: z.number().int().nonnegative(),
  networkPasses: z.number().int().nonnegative(),
  /** SLaT: token-steps sent to the network (sum over network passes of the rows evaluated). */
  tokensEvaluated: z.number().int().nonnegative().optional(),
  /** SLaT: token-steps carved out of full steps (sum over carved steps). */
  tokensCarved: z.number().int().nonnegative().optional(),
  /** SLaT: ms spent building sparse tables (full set once + every carved subset). */
  tablesMs: z.number().nonnegative().optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/**
 * What set the aggregation factor S: 'spectral' (chosen from the HFER score, method with aggregation on),
 * 'voxelGuard' (the voxel-count guards decided S whatever the spectra, which were not measured), 'fixed'
 * (the uniform-merge baseline's S = 2), 'voxelCap' (the pack's voxel cap halved the grid), 'off' (the
 * method does not aggregate: S = 1).
 */
export const AGGREGATION_DECIDED_BY = ['spectral', 'voxelGuard', 'fixed', 'voxelCap', 'off'] as const;
export type AggregationDecidedBy = (typeof AGGREGATION_DECIDED_BY)[number];

export const AggregationReportSchema = z.object({
  /** Whether the method aggregates (meshAggregation of a preset; uniform-merge). Absent in earlier reports. */
  enabled: z.boolean().optional(),
  /** What set `factor` (AGGREGATION_DECIDED_BY). Absent in earlier reports. */
  decidedBy: z.enum(AGGREGATION_DECIDED_BY).optional(),
  /** Aggregation factor S actually applied (1 = none). */
  factor: z.number().positive(),
  /**
   * HFER_2D, HFER_3D and score = w·HFER_2D + (1 − w)·HFER_3D that S was chosen from: all 0 unless
   * `decidedBy` is 'spectral' (earlier reports could carry an HFER_3D measured for carving alone).
   */
  hfer2d: z.number(),
  hfer3d: z.number(),
  score: z.number(),
  voxelsBefore: z.number().int().nonnegative(),
  voxelsAfter: z.number().int().nonnegative(),
  /**
   * True: the mesh was scaled back by `factor` to the object's un-aggregated size and `layout.scale` is
   * the predicted one. Absent in reports of earlier versions, whose mesh is 1/S the size and whose layout
   * scale carries S (library/quality.ts reads both).
   */
  meshAtObjectScale: z.literal(true).optional(),
});

export const LayoutReportSchema = z.object({
  rotation: z.array(z.number()).length(9),
  quaternion: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  translation: z.tuple([z.number(), z.number(), z.number()]),
  scale: z.number(),
});

export const RunReportSchema = z.object({
  pack: z.object({ name: z.string(), version: z.string() }),
  /** The provider the sessions actually ran on (after any CPU fallback). */
  executionProvider: z.string(),
  method: z.enum(METHODS),
  /**
   * The parameters the run used, resolved (preset + overrides + pack defaults for sampler settings): every
   * sampler setting and the acceleration parameters the method read with these values. One it did not read
   * is absent (src-shared/params.ts paramsReadBy); if it was given, `warnings` says it was ignored.
   */
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  name: z.string().optional(),
  objectMs: z.number().nonnegative(),
  stages: z.object(
    Object.fromEntries(STAGE_NAMES.map((s) => [s, StageTimingSchema])) as Record<StageName, typeof StageTimingSchema>,
  ),
  schedules: z.object({ ss: ScheduleSchema, slat: ScheduleSchema }),
  aggregation: AggregationReportSchema,
  /**
   * Fit to mask (sampler setting fitToMask), when on: the coarse shape's occupied voxels and how many lay
   * outside the mask and were removed; `skipped` when over half did and the shape was kept whole;
   * `otherMasks`: masks of the photo outside the run that counted as something in front (when any).
   */
  maskFit: z
    .object({
      occupied: z.number().int().nonnegative(),
      removed: z.number().int().nonnegative(),
      skipped: z.boolean(),
      otherMasks: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /**
   * Colour from photo (sampler setting colourFromPhoto), when on: vertices that took the photo's colour
   * (they landed on the mask), vertices coloured from their neighbours, whether the photo's light was
   * taken out, and the time it took (part of the surface stage's). 0 from the photo: the mesh missed the
   * mask and kept the decoder's colours (with a warning).
   */
  photoColour: z
    .object({
      fromPhoto: z.number().int().nonnegative(),
      spread: z.number().int().nonnegative(),
      delit: z.boolean(),
      ms: z.number().nonnegative(),
    })
    .optional(),
  layout: LayoutReportSchema,
  mesh: z.object({
    vertices: z.number().int().nonnegative(),
    triangles: z.number().int().nonnegative(),
    /** Present when the mesh written was simplified (CLI --target-triangles): what it was simplified from. */
    simplification: z
      .object({
        targetTriangles: z.number().int().positive(),
        fromVertices: z.number().int().nonnegative(),
        fromTriangles: z.number().int().nonnegative(),
      })
      .optional(),
  }),
  /**
   * The photo's camera (pack manifest `camera.fovDeg`, across the side of the square full frame; the input
   * image size), so the window can show the posed view through it. Optional: reports written before it
   * existed still parse.
   */
  camera: z
    .object({ fovDeg: z.number().gt(0).lt(180), width: z.number().int().positive(), height: z.number().int().positive() })
    .optional(),
  warnings: z.array(z.string()),
});
export type RunReport = z.infer<typeof RunReportSchema>;

/** Report of a scene job: the shared work once, then one RunReport per object. */
export const SceneReportSchema = z.object({
  pack: z.object({ name: z.string(), version: z.string() }),
  executionProvider: z.string(),
  method: z.enum(METHODS),
  totalMs: z.number().nonnegative(),
  /** Shared stages (condition and batched SS sampling / decoding) measured once for all objects. */
  shared: z.object({
    condition: StageTimingSchema,
    ssSampling: StageTimingSchema,
    ssDecode: StageTimingSchema,
  }),
  objects: z.array(RunReportSchema),
  warnings: z.array(z.string()),
});
export type SceneReport = z.infer<typeof SceneReportSchema>;
