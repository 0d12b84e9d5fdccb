/**
 * Zod schema of `manifest.json` (format `fastsam3d-pack/1`, docs/model-pack.md). Unknown fields are
 * tolerated inside `metrics` and `source` only; everything the pipeline reads is required and typed.
 */
import { z } from 'zod';

export const PACK_FORMAT = 'fastsam3d-pack/1';

export const ROLES = ['condition', 'ss_flow', 'ss_decoder', 'slat_flow', 'mesh_decoder'] as const;
export type Role = (typeof ROLES)[number];

const Dim = z.union([z.number().int().positive(), z.string().min(1)]);
const TensorSpec = z.object({
  dtype: z.enum(['float32', 'int32', 'int64', 'float16', 'bool']),
  shape: z.array(Dim),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

const FileSpec = z.object({
  path: z
    .string()
    .min(1)
    .refine((p) => !p.includes('..') && !p.startsWith('/'), 'must be a relative path inside the pack'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  inputs: z.record(z.string(), TensorSpec),
  outputs: z.record(z.string(), TensorSpec),
});
export type FileSpec = z.infer<typeof FileSpec>;

const Range = z
  .tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  .refine((r) => r[1] > r[0], 'range [a, b) needs b > a');
const Vec = (n: number) => z.array(z.number()).length(n);

export const ManifestSchema = z
  .object({
    format: z.literal(PACK_FORMAT),
    name: z.string().min(1),
    version: z.string().min(1),
    license: z.string().min(1),
    description: z.string(),
    source: z
      .object({
        kind: z.enum(['trained', 'converted', 'random']),
        tool: z.string().optional(),
        checkpoint_sha256: z.string().optional(),
      })
      .passthrough(),
    camera: z.object({ fovDeg: z.number().gt(0).lt(180) }),
    grid: z.object({
      resolution: z.number().int().positive(),
      ssLatentResolution: z.number().int().positive(),
      ssLatentChannels: z.number().int().positive(),
    }),
    condition: z.object({
      imageSize: z.number().int().positive(),
      tokens: z.number().int().positive(),
      tokensSlat: z.number().int().positive(),
      dim: z.number().int().positive(),
      usesPointmap: z.boolean(),
      cropBoxFactor: z.number().positive(),
      imageMean: Vec(3),
      imageStd: Vec(3),
    }),
    ss: z.object({
      steps: z.number().int().positive(),
      rescaleT: z.number().positive(),
      shortcut: z.union([z.null(), z.object({ steps: z.number().int().positive() })]),
      cfg: z.object({
        strength: z.number().nonnegative(),
        interval: z.tuple([z.number(), z.number()]),
        modalities: z.object({
          shape: z.number(),
          rotation6d: z.number(),
          translation: z.number(),
          scale: z.number(),
          translationScale: z.number(),
        }),
      }),
      occupancyThreshold: z.number(),
      pruneSurfaceDistance: z.number().int().nonnegative(),
      maxVoxels: z.number().int().positive(),
      minVoxels: z.number().int().nonnegative(),
      rotation6dMean: Vec(6),
      rotation6dStd: Vec(6),
    }),
    slat: z.object({
      steps: z.number().int().positive(),
      rescaleT: z.number().positive(),
      cfg: z.object({ strength: z.number().nonnegative(), interval: z.tuple([z.number(), z.number()]) }),
      channels: z.number().int().positive(),
      mean: z.array(z.number()),
      std: z.array(z.number()),
      coarseFactor: z.literal(2),
    }),
    decoders: z.object({
      mesh: z.object({
        subdivisions: z.number().int().nonnegative(),
        window: z.number().int().positive(),
        shifts: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
        layout: z.object({ sdf: Range, deform: Range.nullable(), weights: Range.nullable(), color: Range.nullable() }),
        sdfBias: z.number(),
        colorActivation: z.enum(['sigmoid', 'none', 'clamp']),
      }),
      gaussian: z.unknown().nullable(),
    }),
    files: z.object(Object.fromEntries(ROLES.map((r) => [r, FileSpec])) as Record<Role, typeof FileSpec>),
    metrics: z.unknown().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.slat.mean.length !== m.slat.channels)
      ctx.addIssue({
        code: 'custom',
        path: ['slat', 'mean'],
        message: `needs ${m.slat.channels} values (slat.channels)`,
      });
    if (m.slat.std.length !== m.slat.channels)
      ctx.addIssue({
        code: 'custom',
        path: ['slat', 'std'],
        message: `needs ${m.slat.channels} values (slat.channels)`,
      });
    if (m.grid.resolution % m.grid.ssLatentResolution !== 0)
      ctx.addIssue({ code: 'custom', path: ['grid'], message: 'resolution must be a multiple of ssLatentResolution' });
    // The mesh decoder's feature ranges, checked here so that a pack that would fail at surface extraction
    // (after all the sampling) is refused when it is opened or validated.
    const featDim = m.files.mesh_decoder.outputs?.feats?.shape?.[1];
    for (const [name, rule] of Object.entries(MESH_LAYOUT_WIDTHS) as [keyof typeof MESH_LAYOUT_WIDTHS, MeshLayoutRule][]) {
      const problem = meshLayoutProblem(m.decoders.mesh.layout[name], rule, typeof featDim === 'number' ? featDim : null);
      if (problem) ctx.addIssue({ code: 'custom', path: ['decoders', 'mesh', 'layout', name], message: problem });
    }
  });

interface MeshLayoutRule {
  fits: (width: number) => boolean;
  /** What the contract asks, for the message. */
  wants: string;
}

/** Widths of the mesh decoder's feature ranges (docs/model-pack.md, FlexiCubes): one rule for the schema and the surface. */
export const MESH_LAYOUT_WIDTHS: Record<'sdf' | 'deform' | 'weights' | 'color', MeshLayoutRule> = {
  sdf: { fits: (w) => w === 8, wants: '8 (one SDF per cube corner)' },
  deform: { fits: (w) => w === 24, wants: '24 (8 corners × xyz)' },
  weights: { fits: (w) => w === 21, wants: '21 (FlexiCubes β 12, α 8, γ 1)' },
  color: { fits: (w) => w % 8 === 0 && w >= 24, wants: 'a multiple of 8, at least 24 (8 corners × RGB…)' },
};

/** Why a feature range [a, b) breaks its rule or does not lie within `channels` (when known), or null. */
export function meshLayoutProblem(r: readonly [number, number] | null, rule: MeshLayoutRule, channels: number | null): string | null {
  if (!r) return null;
  const w = r[1] - r[0];
  if (!rule.fits(w)) return `[${r[0]}, ${r[1]}) has width ${w}; the contract asks ${rule.wants} (docs/model-pack.md)`;
  if (r[0] < 0 || (channels !== null && r[1] > channels)) return `[${r[0]}, ${r[1]}) lies outside the ${channels ?? 'decoder\'s'} feature channels`;
  return null;
}
export type Manifest = z.infer<typeof ManifestSchema>;

/** The input and output names each role must declare (docs/model-pack.md, "Roles"). */
export const ROLE_IO: Record<
  Role,
  { inputs: Record<string, { dtype: string; rank: number }>; outputs: Record<string, { dtype: string; rank: number }> }
> = {
  condition: {
    inputs: { image: { dtype: 'float32', rank: 4 }, mask: { dtype: 'float32', rank: 4 } },
    outputs: { cond_ss: { dtype: 'float32', rank: 3 }, cond_slat: { dtype: 'float32', rank: 3 } },
  },
  ss_flow: {
    inputs: {
      x_shape: { dtype: 'float32', rank: 3 },
      x_rot6d: { dtype: 'float32', rank: 3 },
      x_translation: { dtype: 'float32', rank: 3 },
      x_scale: { dtype: 'float32', rank: 3 },
      x_translation_scale: { dtype: 'float32', rank: 3 },
      t: { dtype: 'float32', rank: 1 },
      d: { dtype: 'float32', rank: 1 },
      cond: { dtype: 'float32', rank: 3 },
    },
    outputs: {
      v_shape: { dtype: 'float32', rank: 3 },
      v_rot6d: { dtype: 'float32', rank: 3 },
      v_translation: { dtype: 'float32', rank: 3 },
      v_scale: { dtype: 'float32', rank: 3 },
      v_translation_scale: { dtype: 'float32', rank: 3 },
    },
  },
  ss_decoder: { inputs: { latent: { dtype: 'float32', rank: 5 } }, outputs: { logits: { dtype: 'float32', rank: 5 } } },
  slat_flow: {
    inputs: {
      x: { dtype: 'float32', rank: 2 },
      t: { dtype: 'float32', rank: 1 },
      cond: { dtype: 'float32', rank: 3 },
      coords: { dtype: 'int32', rank: 2 },
      nbr_fine: { dtype: 'int32', rank: 2 },
      nbr_coarse: { dtype: 'int32', rank: 2 },
      children: { dtype: 'int32', rank: 2 },
      inv_count: { dtype: 'float32', rank: 2 },
      fine_to_coarse: { dtype: 'int32', rank: 1 },
      coarse_xyz: { dtype: 'float32', rank: 2 },
    },
    outputs: { v: { dtype: 'float32', rank: 2 } },
  },
  mesh_decoder: {
    inputs: {
      slat: { dtype: 'float32', rank: 2 },
      coords: { dtype: 'int32', rank: 2 },
      win0_idx: { dtype: 'int32', rank: 2 },
      win0_inv: { dtype: 'int32', rank: 1 },
      win1_idx: { dtype: 'int32', rank: 2 },
      win1_inv: { dtype: 'int32', rank: 1 },
      nbr_l1: { dtype: 'int32', rank: 2 },
      nbr_l2: { dtype: 'int32', rank: 2 },
    },
    outputs: { feats: { dtype: 'float32', rank: 2 } },
  },
};
