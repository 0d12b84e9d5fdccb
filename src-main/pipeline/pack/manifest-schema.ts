/**
 * Zod schema of `manifest.json` (format `fastsam3d-pack/1`, docs/model-pack.md). Unknown fields are
 * tolerated inside `metrics` and `source` only (free-form provenance); anywhere else a field this format
 * does not have is refused with a message that names it (a typo such as `ss.stpes`, or a pack written for
 * a newer format), so that a setting the pack meant to change is never silently dropped. Everything the
 * pipeline reads is required and typed.
 */
import { z } from 'zod';
import { PARAM_SPECS } from '../../../src-shared/params';
import type { ParamSpec } from '../../../src-shared/params';

export const PACK_FORMAT = 'fastsam3d-pack/1';

export const ROLES = ['condition', 'ss_flow', 'ss_decoder', 'slat_flow', 'mesh_decoder'] as const;
export type Role = (typeof ROLES)[number];

/** Edit distance of two short names, a swap of neighbours counting one (for "did you mean"). */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase(),
    y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[x.length][y.length];
}

/** The message for fields an object of this format does not have, with the nearest known name when close. */
export function unknownFieldsMessage(keys: readonly string[], known: readonly string[]): string {
  const each = keys.map((k) => {
    const near = known
      .map((n) => ({ n, d: editDistance(k, n) }))
      .filter((c) => c.d <= Math.max(1, Math.floor(k.length / 3)))
      .sort((a, b) => a.d - b.d)[0];
    return near ? `"${k}" (did you mean "${near.n}"?)` : `"${k}"`;
  });
  return (
    `unknown field${keys.length > 1 ? 's' : ''} ${each.join(', ')}: format ${PACK_FORMAT} has no such field here ` +
    `(it has ${known.join(', ')}) — fix the name, or use the app version the pack was written for`
  );
}

/** A z.object that refuses unknown fields, naming them (see the header). */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownFieldsMessage(iss.keys, Object.keys(shape)) : undefined),
  });
}

const Dim = z.union([z.number().int().positive(), z.string().min(1)]);
const TensorSpec = strict({
  dtype: z.enum(['float32', 'int32', 'int64', 'float16', 'bool']),
  shape: z.array(Dim),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

const FileSpec = strict({
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
/** A standard deviation: the pipeline divides by it or scales by it, so 0 (or less) would give NaN or collapse every value. */
const Std = z.number().positive('a standard deviation must be > 0');

/** Step counts within the range the run's own setting accepts (src-shared/params.ts), so the pack's default is one a user could choose. */
function Steps(key: 'ssSteps' | 'slatSteps') {
  const spec = (PARAM_SPECS as readonly ParamSpec[]).find((p) => p.key === key)!;
  const [lo, hi] = [spec.min ?? 1, spec.max ?? Number.MAX_SAFE_INTEGER];
  const msg = `must be a whole number from ${lo} to ${hi} (the range of the ${spec.symbol} setting)`;
  return z
    .number({ error: (iss) => (iss.input === undefined ? undefined : msg) })
    .int(msg)
    .min(lo, msg)
    .max(hi, msg);
}

/**
 * CFG interval in units of 1000·t: guidance applies on the steps with `interval[0] ≤ 1000·t ≤ interval[1]`
 * (sampling/time-grid.ts guidedSteps). A reversed interval or one outside [0, 1000] would silently turn
 * guidance off; a pack that wants none sets `strength` to 0.
 */
const CfgInterval = z.tuple([z.number(), z.number()]).superRefine(([a, b], ctx) => {
  if (!(a < b))
    ctx.addIssue({
      code: 'custom',
      message:
        `[${a}, ${b}] is ${a === b ? 'empty' : 'reversed'}: guidance applies where interval[0] ≤ 1000·t ≤ interval[1], ` +
        `so it needs interval[0] < interval[1] (e.g. [0, 500]); to turn guidance off set cfg.strength to 0`,
    });
  else if (b < 0 || a > 1000)
    ctx.addIssue({
      code: 'custom',
      message: `[${a}, ${b}] lies outside 0–1000 (1000·t for t in [0, 1]), so guidance would never apply; to turn it off set cfg.strength to 0`,
    });
});

const MANIFEST_FIELDS = [
  'format', 'name', 'version', 'license', 'description', 'source', 'camera', 'grid', 'condition', 'ss', 'slat', 'decoders', 'files', 'metrics',
];

export const ManifestSchema = z
  .strictObject({
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
    camera: strict({ fovDeg: z.number().gt(0).lt(180) }),
    grid: strict({
      resolution: z.number().int().positive(),
      ssLatentResolution: z.number().int().positive(),
      ssLatentChannels: z.number().int().positive(),
    }),
    condition: strict({
      imageSize: z.number().int().positive(),
      tokens: z.number().int().positive(),
      tokensSlat: z.number().int().positive(),
      dim: z.number().int().positive(),
      usesPointmap: z.boolean(),
      cropBoxFactor: z.number().positive(),
      imageMean: Vec(3),
      imageStd: z.array(Std).length(3),
    }),
    ss: strict({
      steps: Steps('ssSteps'),
      rescaleT: z.number().positive(),
      shortcut: z.union([z.null(), strict({ steps: Steps('ssSteps') })]),
      cfg: strict({
        strength: z.number().nonnegative(),
        interval: CfgInterval,
        modalities: strict({
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
      rotation6dStd: z.array(Std).length(6),
    }),
    slat: strict({
      steps: Steps('slatSteps'),
      rescaleT: z.number().positive(),
      cfg: strict({ strength: z.number().nonnegative(), interval: CfgInterval }),
      channels: z.number().int().positive(),
      mean: z.array(z.number()),
      std: z.array(Std),
      coarseFactor: z.literal(2),
    }),
    decoders: strict({
      mesh: strict({
        subdivisions: z.number().int().nonnegative(),
        window: z.number().int().positive(),
        shifts: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
        layout: strict({ sdf: Range, deform: Range.nullable(), weights: Range.nullable(), color: Range.nullable() }),
        sdfBias: z.number(),
        colorActivation: z.enum(['sigmoid', 'none', 'clamp']),
      }),
      gaussian: z.unknown().nullable(),
    }),
    files: strict({
      ...(Object.fromEntries(ROLES.map((r) => [r, FileSpec])) as Record<Role, typeof FileSpec>),
      /** Optional in the contract ("Roles"); this version has no Gaussian output and does not read it. */
      gaussian_decoder: FileSpec.optional(),
    }),
    metrics: z.unknown().optional(),
  }, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownFieldsMessage(iss.keys, MANIFEST_FIELDS) : undefined),
  })
  .superRefine((m, ctx) => {
    if (m.ss.minVoxels > m.ss.maxVoxels)
      ctx.addIssue({
        code: 'custom',
        path: ['ss', 'minVoxels'],
        message: `${m.ss.minVoxels} is more than ss.maxVoxels (${m.ss.maxVoxels}): no voxel count satisfies both, so every run would be refused`,
      });
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

/**
 * What each role's fixed axes must be, by the manifest's constants or by the contract (docs/model-pack.md,
 * "Roles"): `null` = a dynamic axis (batch, voxel or token count). The pipeline builds its inputs from the
 * constants, so a graph that disagrees fails in ONNX Runtime mid-run unless validation compares them.
 */
export interface DimRule {
  /** The manifest field, as messages name it. */
  field: string;
  value: (m: Manifest) => number;
  /** How the value is shown when it is computed (e.g. "512 = 8³"). */
  show?: (m: Manifest) => string;
}
type AxisRule = DimRule | number | null;
const field = (name: string, value: (m: Manifest) => number, show?: (m: Manifest) => string): DimRule => ({
  field: name,
  value,
  show,
});
const S = field('condition.imageSize', (m) => m.condition.imageSize);
const D = field('condition.dim', (m) => m.condition.dim);
const TOK = field('condition.tokens', (m) => m.condition.tokens);
const TOK2 = field('condition.tokensSlat', (m) => m.condition.tokensSlat);
const L = field('grid.ssLatentResolution', (m) => m.grid.ssLatentResolution);
const L3 = field(
  'grid.ssLatentResolution³',
  (m) => m.grid.ssLatentResolution ** 3,
  (m) => `${m.grid.ssLatentResolution ** 3} (${m.grid.ssLatentResolution}³)`,
);
const C = field('grid.ssLatentChannels', (m) => m.grid.ssLatentChannels);
const R = field('grid.resolution', (m) => m.grid.resolution);
const SC = field('slat.channels', (m) => m.slat.channels);

export const ROLE_DIMS: Record<Role, { inputs: Record<string, AxisRule[]>; outputs: Record<string, AxisRule[]> }> = {
  condition: {
    inputs: { image: [null, 3, S, S], mask: [null, 1, S, S] },
    outputs: { cond_ss: [null, TOK, D], cond_slat: [null, TOK2, D] },
  },
  ss_flow: {
    inputs: {
      x_shape: [null, L3, C],
      x_rot6d: [null, 1, 6],
      x_translation: [null, 1, 3],
      x_scale: [null, 1, 3],
      x_translation_scale: [null, 1, 1],
      cond: [null, null, D],
    },
    outputs: {
      v_shape: [null, L3, C],
      v_rot6d: [null, 1, 6],
      v_translation: [null, 1, 3],
      v_scale: [null, 1, 3],
      v_translation_scale: [null, 1, 1],
    },
  },
  ss_decoder: { inputs: { latent: [null, C, L, L, L] }, outputs: { logits: [null, 1, R, R, R] } },
  slat_flow: {
    inputs: {
      x: [null, SC],
      t: [1],
      cond: [1, null, D],
      coords: [null, 3],
      nbr_fine: [null, 27],
      nbr_coarse: [null, 27],
      children: [null, 8],
      inv_count: [null, 1],
      coarse_xyz: [null, 3],
    },
    outputs: { v: [null, SC] },
  },
  mesh_decoder: {
    inputs: { slat: [null, SC], coords: [null, 3], nbr_l1: [null, 27], nbr_l2: [null, 27] },
    outputs: {},
  },
};

/** The mesh decoder's per-level neighbour-map inputs (`nbr_l1`, `nbr_l2`, …): one per subdivision. */
export const SUBDIVISION_INPUT = /^nbr_l(\d+)$/;
