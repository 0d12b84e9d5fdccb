/**
 * The one home of every acceleration and sampler parameter: name, paper symbol, range, default and a
 * one-line explanation. The pipeline, the CLI (kebab-case flags), the API schemas and the window's
 * sliders are all generated from this table, so a parameter has the same name everywhere.
 *
 * Semantics: ../shared/design/acceleration.md (and docs/accelerations.md in this repository).
 */
import { z } from 'zod';

export type ParamKind = 'number' | 'integer' | 'boolean' | 'enum';

export interface ParamSpec {
  /** camelCase name, used in code, the API and saved runs. */
  key: string;
  /** Paper name or symbol shown in the UI label (e.g. "k", "β", "τ low"). */
  symbol: string;
  kind: ParamKind;
  min?: number;
  max?: number;
  step?: number;
  options?: readonly string[];
  default: number | boolean | string;
  /** True for sampler settings whose default comes from the model pack's manifest, not from this table. */
  packDefault?: boolean;
  /** Which module the parameter belongs to (UI grouping, ablations). */
  module: 'ss' | 'slat' | 'mesh' | 'sampler';
  help: string;
}

export const PARAM_SPECS = [
  // --- Module 1: SS modality-aware step caching -------------------------------------------------
  { key: 'ssCache', symbol: 'SS cache', kind: 'boolean', default: true, module: 'ss',
    help: 'Modality-aware step caching in the sparse-structure stage (skips whole guided network passes).' },
  { key: 'ssCacheStride', symbol: 'k', kind: 'integer', min: 1, max: 8, step: 1, default: 3, module: 'ss',
    help: 'Cache stride k: one full network step every k steps after warm-up (1 = never cache).' },
  { key: 'ssWarmup', symbol: 'SS warm-up', kind: 'integer', min: 1, max: 12, step: 1, default: 2, module: 'ss',
    help: 'Steps always evaluated in full at the start of SS sampling (at least 1: a cached step needs a full one before it).' },
  { key: 'ssOrder', symbol: 'Taylor order', kind: 'integer', min: 1, max: 2, step: 1, default: 1, module: 'ss',
    help: 'Order of the Taylor extrapolation of the velocity on cached steps.' },
  { key: 'ssMomentumBeta', symbol: 'β', kind: 'number', min: 0, max: 0.99, step: 0.01, default: 0.5, module: 'ss',
    help: 'Layout momentum β: blend of the extrapolated and the last full velocity for layout tokens (layout mode "paper" only).' },
  { key: 'ssLayoutMode', symbol: 'layout mode', kind: 'enum', options: ['paper', 'faithful'], default: 'paper', module: 'ss',
    help: '"paper": momentum-anchored layout tokens; "faithful": same extrapolation as shape, as the public code does.' },
  { key: 'ssDiffInT', symbol: 'Δt differences', kind: 'boolean', default: false, module: 'ss',
    help: 'Take finite differences in t instead of step index (the SS time grid is non-uniform).' },
  { key: 'ssFullAtCfgSwitch', symbol: 'full at CFG switch', kind: 'boolean', default: false, module: 'ss',
    help: 'Force a full step where guidance switches off, so the extrapolation does not carry the guidance jump.' },

  // --- Module 2: SLaT carving + adaptive step caching -------------------------------------------
  { key: 'slatCarving', symbol: 'SLaT carving', kind: 'boolean', default: true, module: 'slat',
    help: 'Spatio-temporal token carving and adaptive step caching in the structured-latent stage.' },
  { key: 'slatThresh', symbol: 'τ cache', kind: 'number', min: 0, max: 5, step: 0.05, default: 1.5, module: 'slat',
    help: 'Accumulated-change threshold for reusing a step (0 disables step caching).' },
  { key: 'slatWarmup', symbol: 'SLaT warm-up', kind: 'integer', min: 0, max: 12, step: 1, default: 3, module: 'slat',
    help: 'SLaT steps always evaluated in full at the start (at least 3 in effect).' },
  { key: 'slatCarvingRatio', symbol: 'carving ratio', kind: 'number', min: 0, max: 0.9, step: 0.01, default: 0.1, module: 'slat',
    help: 'Fraction of voxels carved OUT of a full step (not sent to the network; they keep their last velocity).' },
  { key: 'slatSpatialWeight', symbol: 'λ spatial', kind: 'number', min: 0, max: 1, step: 0.05, default: 0.3, module: 'slat',
    help: 'Weight of the spectral (spatial) saliency against the motion saliency when choosing tokens to carve.' },
  { key: 'slatStaleLimit', symbol: 'stale limit', kind: 'integer', min: 1, max: 12, step: 1, default: 4, module: 'slat',
    help: 'A token carved at this many consecutive selections is recomputed at the next one.' },

  // --- Module 3: spectral-aware token aggregation -----------------------------------------------
  { key: 'meshAggregation', symbol: 'aggregation', kind: 'boolean', default: true, module: 'mesh',
    help: 'Spectral-aware token aggregation: shrink the voxel set by S ∈ {1.25, 1.5, 2} before SLaT and decoding.' },
  { key: 'meshTauLow', symbol: 'τ low', kind: 'number', min: 0, max: 1, step: 0.01, default: 0.5, module: 'mesh',
    help: 'Spectral score at or below τ low → strongest aggregation (S = 2).' },
  { key: 'meshTauHigh', symbol: 'τ high', kind: 'number', min: 0, max: 1, step: 0.01, default: 0.7, module: 'mesh',
    help: 'Spectral score at or above τ high → mildest aggregation (S = 1.25).' },
  { key: 'meshSpectralWeight2d', symbol: 'w 2D', kind: 'number', min: 0, max: 1, step: 0.05, default: 0.9, module: 'mesh',
    help: 'Weight of the image (2D) high-frequency energy ratio against the occupancy (3D) one.' },
  { key: 'meshFixOffset', symbol: 'offset fix', kind: 'boolean', default: true, module: 'mesh',
    help: 'Compensate the translation offset of the bbox-centred shrink so posed outputs coincide with the baseline.' },

  // --- Sampler settings (pack defaults can be overridden) ---------------------------------------
  { key: 'seed', symbol: 'seed', kind: 'integer', min: 0, max: 2 ** 31 - 1, step: 1, default: 42, module: 'sampler',
    help: 'Seed of the noise; the same seed and parameters give the same mesh.' },
  { key: 'ssSteps', packDefault: true, symbol: 'SS steps', kind: 'integer', min: 1, max: 100, step: 1, default: 25, module: 'sampler',
    help: 'Euler steps of the sparse-structure sampler.' },
  { key: 'ssCfgStrength', packDefault: true, symbol: 'SS CFG', kind: 'number', min: 0, max: 15, step: 0.5, default: 7, module: 'sampler',
    help: 'Classifier-free guidance strength of the sparse-structure stage.' },
  { key: 'ssSamples', symbol: 'shape samples', kind: 'integer', min: 1, max: 8, step: 1, default: 1, module: 'sampler',
    help: 'Sparse-structure samples whose occupancy is averaged (1 = SAM 3D). More agree better on the side the photo does not show, at that many times the SS sampling time.' },
  { key: 'fitToMask', symbol: 'fit to mask', kind: 'boolean', default: false, module: 'sampler',
    help: 'Remove the parts of the coarse shape that fall outside the masks in the photo, placed by the predicted layout (not in SAM 3D). Every mask of the photo counts, used in the run or not: mask what stands in front of the object to keep what it hides. Leave it off when something you did not mask stands in front: its hidden part would be cut away.' },
  { key: 'colourFromPhoto', symbol: 'colour from photo', kind: 'boolean', default: false, module: 'sampler',
    help: 'Colour the mesh from the photo where it lands on the mask, placed by the predicted layout, with the photo\'s light taken out; the far side takes the colour in front of it, and parts that land off the mask their neighbours\' (not in SAM 3D). A pose that is off shifts the colours. Use it when the model pack\'s own colours are grey or wrong.' },
  { key: 'slatSteps', packDefault: true, symbol: 'SLaT steps', kind: 'integer', min: 1, max: 100, step: 1, default: 25, module: 'sampler',
    help: 'Euler steps of the structured-latent sampler.' },
  { key: 'slatCfgStrength', packDefault: true, symbol: 'SLaT CFG', kind: 'number', min: 0, max: 15, step: 0.5, default: 1, module: 'sampler',
    help: 'Classifier-free guidance strength of the structured-latent stage.' },
] as const satisfies readonly ParamSpec[];

export type ParamKey = (typeof PARAM_SPECS)[number]['key'];

/** The sampler settings whose default is the model pack's: the `packDefault` rows of PARAM_SPECS. */
export type SamplerKey = Extract<(typeof PARAM_SPECS)[number], { packDefault: true }>['key'];
/** What a pack's manifest sets them to: shown in the acceleration panel while the user has not overridden them. */
export type SamplerDefaults = Record<SamplerKey, number>;
export const SAMPLER_KEYS = (PARAM_SPECS as readonly ParamSpec[]).filter((s) => s.packDefault).map((s) => s.key) as SamplerKey[];
/** Schema of SamplerDefaults (packs.list), generated from the same rows so a new pack-default setting joins it. */
export const SamplerDefaultsSchema = z.object(
  Object.fromEntries(SAMPLER_KEYS.map((k) => [k, z.number()])),
).strict() as unknown as z.ZodType<SamplerDefaults>;

/**
 * The sampler settings (the 'sampler' rows: seed, shape samples, steps, CFG): what a run and its Compare
 * baseline share, and what survives a change of preset or method. Everything else is acceleration.
 */
export const SAMPLER_SETTING_KEYS = (PARAM_SPECS as readonly ParamSpec[]).filter((s) => s.module === 'sampler').map((s) => s.key) as (keyof AccelParams)[];

/** Only the sampler settings of `params` that are set. */
export function samplerSettingsOf(params: Partial<AccelParams> | Record<string, unknown>): Partial<AccelParams> {
  const p = params as Record<string, unknown>;
  return Object.fromEntries(SAMPLER_SETTING_KEYS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])) as Partial<AccelParams>;
}

/** Methods the pipeline can run: the accelerated presets and the benchmark baselines. */
export const METHODS = [
  'off', 'fast-sam3d', 'balanced', 'max',
  'uniform-skip', 'taylorseer', 'easycache', 'random-drop', 'uniform-merge',
] as const;
export type Method = (typeof METHODS)[number];

function schemaFor(spec: ParamSpec): z.ZodTypeAny {
  switch (spec.kind) {
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(spec.options as [string, ...string[]]);
    case 'integer':
      return z.number().int().min(spec.min ?? -Infinity).max(spec.max ?? Infinity);
    case 'number':
      return z.number().min(spec.min ?? -Infinity).max(spec.max ?? Infinity);
  }
}

export interface AccelParams {
  ssCache: boolean; ssCacheStride: number; ssWarmup: number; ssOrder: number; ssMomentumBeta: number;
  ssLayoutMode: 'paper' | 'faithful'; ssDiffInT: boolean; ssFullAtCfgSwitch: boolean;
  slatCarving: boolean; slatThresh: number; slatWarmup: number; slatCarvingRatio: number;
  slatSpatialWeight: number; slatStaleLimit: number;
  meshAggregation: boolean; meshTauLow: number; meshTauHigh: number; meshSpectralWeight2d: number; meshFixOffset: boolean;
  seed: number;
  /** Shape samples averaged (stages/shape-consensus.ts); 1 = SAM 3D's sampler. */
  ssSamples: number;
  /** Voxels outside the mask removed before SLaT (stages/fit-to-mask.ts); false = SAM 3D. */
  fitToMask: boolean;
  /** Vertex colours taken from the photo (stages/photo-colour.ts); false = the decoder's, SAM 3D's. */
  colourFromPhoto: boolean;
  /** Sampler overrides; undefined = the pack's manifest value. */
  ssSteps?: number; ssCfgStrength?: number; slatSteps?: number; slatCfgStrength?: number;
}

/** Full parameter object, every key required (after defaults are applied). */
export const AccelParamsSchema = z.object(
  Object.fromEntries(
    PARAM_SPECS.map((s: ParamSpec) => [s.key, s.packDefault ? schemaFor(s).optional() : schemaFor(s)]),
  ) as unknown as Record<ParamKey, z.ZodTypeAny>,
).strict() as unknown as z.ZodType<AccelParams>;

/** Partial overrides as accepted from a user (CLI flags, API payloads, sliders). */
export const AccelOverridesSchema = z.object(
  Object.fromEntries(PARAM_SPECS.map((s) => [s.key, schemaFor(s).optional()])) as unknown as Record<ParamKey, z.ZodTypeAny>,
).strict() as unknown as z.ZodType<Partial<AccelParams>>;

export const DEFAULT_PARAMS: AccelParams = Object.fromEntries(
  (PARAM_SPECS as readonly ParamSpec[]).filter((s) => !s.packDefault).map((s) => [s.key, s.default]),
) as unknown as AccelParams;

/** The public code's README settings (infer.sh): k=3, warm-up 2, order 1, thresh 1.5, warm-up 3, ratio 0.1. */
const FAST_SAM3D: Partial<AccelParams> = {
  ssCache: true, ssCacheStride: 3, ssWarmup: 2, ssOrder: 1, ssLayoutMode: 'faithful',
  slatCarving: true, slatThresh: 1.5, slatWarmup: 3, slatCarvingRatio: 0.1,
  meshAggregation: true, meshTauLow: 0.5, meshTauHigh: 0.7, meshFixOffset: false,
};

/** Presets: module switches and values on top of the defaults. `balanced` / `max` are set by the benchmark. */
export const PRESETS: Record<'off' | 'fast-sam3d' | 'balanced' | 'max', Partial<AccelParams>> = {
  off: { ssCache: false, slatCarving: false, meshAggregation: false },
  'fast-sam3d': FAST_SAM3D,
  // From the Pareto front of `npm run bench -- --sweep --objects 4 --reps 1 --samples 10000`
  // (docs/benchmarks.md, "Sweep"), checked on all 24 held-out objects (`--full --methods off,balanced,max`).
  // balanced (chosen on mini 0.3.0): k = 2, the more faithful step below fast-sam3d; on mini 0.5.0 2.49×,
  // F1@0.05 41.2 vs off 40.3 against ground truth, 91.4 against off (fast-sam3d: 2.71×, 42.4, 86.2).
  // max (mini 0.5.0): the sweep's fastest configuration within 0.5 F1@0.05 and 0.02 3D-IoU of off against
  // ground truth, k = 4 + τ cache 4 + carving ratio 0.3; on the 24 objects 2.87×, F1 41.7 (off 40.3),
  // 3D-IoU 0.200 (off 0.195), 74.6 against off. No configuration reaches 3.5× within those bounds.
  // Re-run the sweep when the pack changes.
  balanced: { ...FAST_SAM3D, ssCacheStride: 2 },
  max: { ...FAST_SAM3D, ssCacheStride: 4, slatThresh: 4, slatCarvingRatio: 0.3 },
};

/** CLI flag for a parameter: ssCacheStride → --ss-cache-stride. */
export function cliFlag(key: string): string {
  return '--' + key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** The method a run uses when none is given (CLI --preset, API, window). */
export const DEFAULT_METHOD: Method = 'fast-sam3d';

type PresetName = keyof typeof PRESETS;
export function isPreset(method: Method): method is PresetName {
  return method in PRESETS;
}

const SPEC_OF = new Map((PARAM_SPECS as readonly ParamSpec[]).map((s) => [s.key, s]));

/** A parameter as both the window and the CLI call it: "τ low (meshTauLow, --mesh-tau-low)". */
export function paramLabel(key: keyof AccelParams): string {
  const spec = SPEC_OF.get(key);
  return `${spec ? `${spec.symbol} ` : ''}(${key}, ${cliFlag(key)})`;
}

/** A given value in both spellings: "k (ssCacheStride: 2, --ss-cache-stride 2)", "SS cache (ssCache: false, --no-ss-cache)". */
export function paramValueLabel(key: keyof AccelParams, value: unknown): string {
  const spec = SPEC_OF.get(key);
  const flag = cliFlag(key);
  const cli = typeof value === 'boolean' ? (value ? flag : `--no-${flag.slice(2)}`) : `${flag} ${String(value)}`;
  return `${spec ? `${spec.symbol} ` : ''}(${key}: ${typeof value === 'string' ? `'${value}'` : String(value)}, ${cli})`;
}

/** What each baseline does and the only acceleration parameters it reads (docs/accelerations.md, "Methods"). */
const BASELINES: Record<Exclude<Method, PresetName>, { does: string; reads: readonly (keyof AccelParams)[] }> = {
  'uniform-skip': { does: 'reuses the last evaluated velocity on a stride schedule in both stages, without carving or aggregation', reads: ['ssCacheStride', 'ssWarmup'] },
  taylorseer: { does: 'extrapolates the velocity (Taylor) on a stride schedule in both stages, without carving or aggregation', reads: ['ssCacheStride', 'ssWarmup', 'ssOrder'] },
  easycache: { does: 'reuses residuals in both stages, without carving or aggregation', reads: ['slatThresh', 'slatWarmup'] },
  'random-drop': { does: 'carves random SLaT tokens on every step, without caching or aggregation', reads: ['slatCarvingRatio'] },
  'uniform-merge': { does: 'aggregates the voxels by a fixed S = 2, without caching or carving', reads: ['meshFixOffset'] },
};

const SS_CACHE_KEYS: readonly (keyof AccelParams)[] = ['ssCacheStride', 'ssWarmup', 'ssOrder', 'ssMomentumBeta', 'ssLayoutMode', 'ssDiffInT', 'ssFullAtCfgSwitch'];
const SLAT_KEYS: readonly (keyof AccelParams)[] = ['slatThresh', 'slatWarmup', 'slatCarvingRatio', 'slatSpatialWeight', 'slatStaleLimit'];
const MESH_KEYS: readonly (keyof AccelParams)[] = ['meshTauLow', 'meshTauHigh', 'meshSpectralWeight2d'];

const strideOne = 'k (ssCacheStride) = 1 evaluates every step in full; set --ss-cache-stride (ssCacheStride) to 2 or more';
const noSlatCaching = 'τ cache (slatThresh) = 0 turns SLaT step caching off; set --slat-thresh (slatThresh) above 0';

/**
 * Why `method`, run with the resolved values `p`, does not read parameter `key` (and what to do instead), or
 * null when it reads it. Sampler settings are read by every method. Mirrors the pipeline's policies
 * (src-main/pipeline/accel/policies.ts; test/pipeline/params-read.test.ts checks that changing a parameter
 * reported as unread changes nothing).
 */
export function unreadReason(method: Method, p: AccelParams, key: keyof AccelParams): string | null {
  const spec = SPEC_OF.get(key);
  if (!spec || spec.module === 'sampler') return null;
  if (!isPreset(method)) {
    const b = BASELINES[method];
    if (!b.reads.includes(key)) {
      return `the ${method} baseline ${b.does}, and reads only ${b.reads.map((k) => paramLabel(k)).join(' and ')}; ` +
        `to choose or tune the modules, use a preset (--preset ${DEFAULT_METHOD}, or --preset off plus module switches such as --ss-cache)`;
    }
    if ((key === 'ssWarmup' || key === 'ssOrder') && p.ssCacheStride === 1) return strideOne;
    if (key === 'slatWarmup' && p.slatThresh === 0) return noSlatCaching;
    return null;
  }
  const inOff = method === 'off' ? ' in the off preset' : '';
  const orPreset = method === 'off' ? `, or use --preset ${DEFAULT_METHOD}` : '';
  if (SS_CACHE_KEYS.includes(key)) {
    if (!p.ssCache) return `SS step caching (ssCache) is off${inOff}; turn it on with --ss-cache (ssCache: true)${orPreset}`;
    if (key !== 'ssCacheStride' && p.ssCacheStride === 1) return strideOne;
    if (key === 'ssMomentumBeta' && p.ssLayoutMode !== 'paper') {
      const byPreset = PRESETS[method].ssLayoutMode === p.ssLayoutMode ? ` (the ${method} preset's)` : '';
      return `β acts only in layout mode paper, and the layout mode is ${p.ssLayoutMode}${byPreset}; add --ss-layout-mode paper (ssLayoutMode: 'paper')`;
    }
    return null;
  }
  if (SLAT_KEYS.includes(key)) {
    if (!p.slatCarving) return `SLaT carving and caching (slatCarving) is off${inOff}; turn it on with --slat-carving (slatCarving: true)${orPreset}`;
    if (key === 'slatWarmup' && p.slatThresh === 0) return noSlatCaching;
    if ((key === 'slatSpatialWeight' || key === 'slatStaleLimit') && p.slatCarvingRatio === 0) {
      return 'carving ratio (slatCarvingRatio) = 0 turns token carving off; set --slat-carving-ratio (slatCarvingRatio) above 0';
    }
    return null;
  }
  if (MESH_KEYS.includes(key) && !p.meshAggregation) {
    return `spectral aggregation (meshAggregation) is off${inOff}; turn it on with --mesh-aggregation (meshAggregation: true)${orPreset}`;
  }
  // The module switches are always read by a preset, and so is meshFixOffset: it also places the grid halved
  // over the pack's voxel cap, with aggregation off.
  return null;
}

/** The parameters `method` reads with the resolved values `p`: every sampler setting and the acceleration ones it uses. */
export function paramsReadBy(method: Method, p: AccelParams): (keyof AccelParams)[] {
  return (PARAM_SPECS as readonly ParamSpec[]).map((s) => s.key as keyof AccelParams).filter((k) => unreadReason(method, p, k) === null);
}

/**
 * One warning per reason for the parameters the user gave (`overrides`, as sent: CLI flags, API payload)
 * that `method` does not read with the resolved values `p`. Each names the value as given, in both the API's
 * and the CLI's spelling, and what to do for it to act.
 */
export function ignoredParamWarnings(method: Method, p: AccelParams, overrides: Partial<AccelParams>): string[] {
  const byReason = new Map<string, string[]>();
  for (const spec of PARAM_SPECS as readonly ParamSpec[]) {
    const key = spec.key as keyof AccelParams;
    const v = overrides[key];
    if (v === undefined) continue;
    const reason = unreadReason(method, p, key);
    if (reason === null) continue;
    byReason.set(reason, [...(byReason.get(reason) ?? []), paramValueLabel(key, v)]);
  }
  return [...byReason].map(([reason, labels]) =>
    `${labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]} were` : `${labels[0]} was`} ignored: ${reason}.`,
  );
}

/** Resolve a preset plus user overrides into a complete, validated parameter object. */
export function resolveParams(preset: keyof typeof PRESETS, overrides: Partial<AccelParams> = {}): AccelParams {
  const merged = { ...DEFAULT_PARAMS, ...PRESETS[preset], ...overrides };
  return AccelParamsSchema.parse(merged);
}

/** Each preset resolved once: the library asks for every run it lists (runs.list), the panel on each change. */
let resolvedPresets: Record<keyof typeof PRESETS, AccelParams> | null = null;
const ACCELERATION_KEYS = (PARAM_SPECS as readonly ParamSpec[]).filter((s) => s.module !== 'sampler').map((s) => s.key);

/**
 * Whether `values` has preset `preset`'s acceleration values (sampler settings, seed included, are
 * ignored: they are the user's whatever the preset).
 */
export function hasPresetValues(preset: keyof typeof PRESETS, values: Partial<AccelParams> | Record<string, unknown>): boolean {
  resolvedPresets ??= Object.fromEntries((Object.keys(PRESETS) as (keyof typeof PRESETS)[]).map((p) => [p, resolveParams(p)])) as Record<keyof typeof PRESETS, AccelParams>;
  const ref = resolvedPresets[preset];
  const v = values as Record<string, unknown>;
  // Only what the preset reads: a value it ignores (β in faithful layout mode, k with SS caching off) changes
  // nothing, and a run's report records only what was read (reportedParams). Equal read values imply the
  // same read set, hence the same computation.
  return ACCELERATION_KEYS.every((k) => unreadReason(preset, ref, k as keyof AccelParams) !== null || (ref as unknown as Record<string, unknown>)[k] === v[k]);
}

/**
 * The preset whose acceleration values `values` has, or null when they are tuned away from every preset:
 * the window's "preset values" / "tuned" label (the library's `tuned` flag asks hasPresetValues).
 */
export function matchingPreset(values: Partial<AccelParams> | Record<string, unknown>): keyof typeof PRESETS | null {
  return (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).find((p) => hasPresetValues(p, values)) ?? null;
}
