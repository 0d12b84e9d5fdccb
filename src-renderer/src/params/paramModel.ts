/**
 * The acceleration panel's model, generated from PARAM_SPECS so that a new parameter appears in the
 * window without touching UI code: grouping by module, the module switches, presets, reset and the
 * request payload for jobs.submit.
 */
import {
  DEFAULT_PARAMS, METHODS, PARAM_SPECS, PRESETS, matchingPreset, paramsReadBy, resolveParams, samplerSettingsOf, type AccelParams, type Method, type ParamSpec,
} from '../../../src-shared/params';

export { matchingPreset };

export type ModuleId = ParamSpec['module'];

export const MODULES: readonly { id: ModuleId; title: string; switchKey: keyof AccelParams | null }[] = [
  { id: 'ss', title: 'SS step caching', switchKey: 'ssCache' },
  { id: 'slat', title: 'SLaT carving + caching', switchKey: 'slatCarving' },
  { id: 'mesh', title: 'Spectral aggregation', switchKey: 'meshAggregation' },
  { id: 'sampler', title: 'Sampler', switchKey: null },
];

const SPECS = PARAM_SPECS as readonly ParamSpec[];

export function specsOf(module: ModuleId): ParamSpec[] {
  const m = MODULES.find((x) => x.id === module);
  return SPECS.filter((s) => s.module === module && s.key !== m?.switchKey);
}

export function switchSpec(module: ModuleId): ParamSpec | null {
  const key = MODULES.find((x) => x.id === module)?.switchKey;
  return key ? SPECS.find((s) => s.key === key) ?? null : null;
}

/** Methods that are presets of the accelerated pipeline; the rest are benchmark baselines. */
export const PRESET_METHODS = ['off', 'fast-sam3d', 'balanced', 'max'] as const satisfies readonly Method[];
export const BASELINE_METHODS = METHODS.filter((m) => !(PRESET_METHODS as readonly string[]).includes(m));

export function isPresetMethod(m: Method): m is (typeof PRESET_METHODS)[number] {
  return (PRESET_METHODS as readonly string[]).includes(m);
}

/**
 * Choosing a preset sets every acceleration value from it; the seed and the sampler overrides are the
 * user's and survive (tuning means comparing presets at the same seed). A baseline method keeps the
 * current values: the pipeline reads what it needs for that baseline from them.
 */
export function applyMethod(current: AccelParams, method: Method): AccelParams {
  if (!isPresetMethod(method)) return current;
  const base = resolveParams(method);
  return { ...base, ...samplerSettingsOf(current) };
}

/**
 * Reset: the chosen method's own values (a preset's, else the table defaults), sampler settings back to
 * the pack's, seed kept. Resetting to the table defaults under `off` switched every module on, so the
 * next "off" run ran accelerated (overrides win over the method).
 */
export function resetParams(current: AccelParams, method: Method): AccelParams {
  return { ...(isPresetMethod(method) ? resolveParams(method) : DEFAULT_PARAMS), seed: current.seed };
}


/** Is this parameter live, i.e. is its module switched on? Sampler settings always are. */
export function isActive(values: AccelParams, spec: ParamSpec): boolean {
  // β anchors the layout tokens in "paper" mode only; "faithful" extrapolates them like the shape.
  if (spec.key === 'ssMomentumBeta' && values.ssLayoutMode === 'faithful') return false;
  const m = MODULES.find((x) => x.id === spec.module);
  if (!m?.switchKey || m.switchKey === spec.key) return true;
  return values[m.switchKey] === true;
}

/** Keys whose value differs from the table default (shown as "changed" markers). */
export function changedKeys(values: AccelParams): Set<string> {
  const out = new Set<string>();
  for (const s of SPECS) {
    const v = values[s.key as keyof AccelParams];
    if (s.packDefault ? v !== undefined : v !== s.default) out.add(s.key);
  }
  return out;
}

/** Coerce a slider/number field value to the spec's range and step; null when not a number. */
export function coerceValue(spec: ParamSpec, raw: string | number): number | null {
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(n)) return null;
  let v = Math.min(spec.max ?? Infinity, Math.max(spec.min ?? -Infinity, n));
  if (spec.kind === 'integer') v = Math.round(v);
  else if (spec.step) v = Math.round(v / spec.step) * spec.step;
  // Round off binary noise from the step multiplication (0.1 * 3 = 0.30000000000000004).
  return Number(v.toFixed(6));
}

export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (2 ** 31 - 1));
}

/**
 * The `params` of a jobs.submit request: only what differs from the method's own starting point (its
 * preset, or the defaults for a baseline), plus the seed and any sampler override. Sending the whole
 * object would pin the module switches, so the `off` baseline of a Compare would inherit them.
 */
export function toOverrides(method: Method, values: AccelParams): Partial<AccelParams> {
  const base: AccelParams = isPresetMethod(method) ? resolveParams(method) : DEFAULT_PARAMS;
  const out: Record<string, unknown> = { seed: values.seed };
  // Only what the method reads with these values: a baseline chosen after a preset keeps the preset's
  // values in the panel (layout mode faithful, …), and sent they would come back as "ignored" warnings.
  const read = new Set<string>(paramsReadBy(method, values));
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && v !== base[k as keyof AccelParams] && read.has(k)) out[k] = v;
  }
  return out as Partial<AccelParams>;
}

/** Cross-parameter rules the pipeline enforces, checked before submitting so the error shows in place. */
export function paramProblems(values: AccelParams): string[] {
  const out: string[] = [];
  if (values.meshTauLow > values.meshTauHigh) {
    out.push(`τ low (${values.meshTauLow}) must not exceed τ high (${values.meshTauHigh}): lower τ low or raise τ high.`);
  }
  if (values.ssCache && values.ssCacheStride >= 2 && values.ssWarmup < 1) {
    out.push('SS warm-up must be at least 1 when k ≥ 2.');
  }
  return out;
}

/** How a parameter is shown in a compact readout. */
export function formatValue(spec: ParamSpec, v: unknown): string {
  if (v === undefined) return 'pack';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number' && spec.kind === 'number') return v.toFixed(spec.step && spec.step < 0.1 ? 2 : 1);
  return String(v);
}

export { PRESETS, METHODS };
