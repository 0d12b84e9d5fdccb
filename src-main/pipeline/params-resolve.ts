/** Parameters of one run: method preset + user overrides, validated, with the pack's sampler defaults. */
import {
  AccelOverridesSchema,
  AccelParamsSchema,
  DEFAULT_PARAMS,
  PRESETS,
  ignoredParamWarnings,
  isPreset,
  paramLabel,
  paramsReadBy,
} from '../../src-shared/params';
import type { AccelParams, Method, SamplerDefaults } from '../../src-shared/params';
import { PipelineInputError } from './errors';
import type { Manifest } from './pack/manifest-schema';

/**
 * Presets (off, fast-sam3d, balanced, max) apply their switches; baselines start from the defaults (their
 * technique is chosen by the method itself, see accel/policies.ts).
 */
export function resolveRunParams(method: Method, overrides: Partial<AccelParams> = {}): AccelParams {
  return resolveRun(method, overrides).params;
}

/**
 * The run's parameters and the warnings they call for: one for each parameter given that the method does
 * not read with these values (src-shared/params.ts unreadReason), naming it and what to do for it to act.
 * The pipeline puts them in every run's report, so the CLI, the API and the window all show them.
 */
export function resolveRun(method: Method, overrides: Partial<AccelParams> = {}): { params: AccelParams; warnings: string[] } {
  const o = AccelOverridesSchema.safeParse(overrides);
  if (!o.success) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `invalid parameters: ${o.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const preset = isPreset(method) ? PRESETS[method] : {};
  const merged = { ...DEFAULT_PARAMS, ...preset, ...o.data };
  const parsed = AccelParamsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `invalid parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const p = parsed.data;
  // ssWarmup ≥ 1 is the table's range (warm-up 0 would cache step 0 before anything was evaluated).
  if (p.meshTauLow > p.meshTauHigh) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `${paramLabel('meshTauLow')} = ${p.meshTauLow} must not exceed ${paramLabel('meshTauHigh')} = ${p.meshTauHigh}.`,
    );
  }
  return { params: p, warnings: ignoredParamWarnings(method, p, o.data) };
}

/**
 * Warnings about the schedules a run's step counts give (known once the pack's are): a warm-up that covers
 * every step, so the method's step caching never acts (the last step is always full in the stride schedule;
 * the residual caches need at least 3 full steps).
 */
export function scheduleWarnings(method: Method, p: AccelParams, ssSteps: number, slatSteps: number): string[] {
  const out: string[] = [];
  const stride = (stage: 'SS' | 'SLaT', steps: number) => {
    if (p.ssCacheStride < 2 || p.ssWarmup < steps - 1) return;
    const fix = steps >= 3 ? `lower it to ${steps - 2} or less` : `give the ${stage} sampler more steps`;
    out.push(
      `${paramLabel('ssWarmup')} = ${p.ssWarmup} covers all ${steps} ${stage} steps (the last step is always full), so ${stage} step caching never acts and every step runs in full; ${fix}.`,
    );
  };
  const residual = (stage: 'SS' | 'SLaT', steps: number) => {
    const warmup = Math.max(p.slatWarmup, 3);
    if (p.slatThresh === 0 || warmup < steps) return;
    const why = p.slatWarmup > 3 ? `${paramLabel('slatWarmup')} = ${p.slatWarmup} covers all ${steps} ${stage} steps` : `the residual cache needs 3 full ${stage} steps before it can reuse one, and there are ${steps}`;
    const fix = steps > 3 ? `lower it to ${steps - 1} or less` : `give the ${stage} sampler at least 4 steps`;
    out.push(`${why}, so ${stage} step caching never acts and every step is evaluated; ${fix}.`);
  };
  if (isPreset(method)) {
    if (p.ssCache) stride('SS', ssSteps);
    if (p.slatCarving) residual('SLaT', slatSteps);
  } else if (method === 'uniform-skip' || method === 'taylorseer') {
    stride('SS', ssSteps);
    stride('SLaT', slatSteps);
  } else if (method === 'easycache') {
    residual('SS', ssSteps);
    residual('SLaT', slatSteps);
  }
  return out;
}

/** The sampler settings a run uses when the user overrides none of them (a shortcut pack's own step count). */
export function packSamplerDefaults(m: Manifest): SamplerDefaults {
  return {
    ssSteps: m.ss.shortcut ? m.ss.shortcut.steps : m.ss.steps,
    ssCfgStrength: m.ss.cfg.strength,
    slatSteps: m.slat.steps,
    slatCfgStrength: m.slat.cfg.strength,
  };
}

/**
 * The params as reported: what the run used. Every sampler setting (filled in from the pack when not
 * overridden) and the acceleration parameters the method read with these values; one it ignores (β in
 * faithful layout mode, k with SS caching off, every SS parameter of easycache) is left out, so the
 * report never shows a setting that did not act (the run's warnings name the ignored ones that were given).
 */
export function reportedParams(method: Method, p: AccelParams, m: Manifest): Record<string, number | boolean | string> {
  const d = packSamplerDefaults(m);
  const all = p as unknown as Record<string, number | boolean | string>;
  return {
    ...Object.fromEntries(paramsReadBy(method, p).filter((k) => all[k] !== undefined).map((k) => [k, all[k]])),
    ssSteps: p.ssSteps ?? d.ssSteps,
    ssCfgStrength: p.ssCfgStrength ?? d.ssCfgStrength,
    slatSteps: p.slatSteps ?? d.slatSteps,
    slatCfgStrength: p.slatCfgStrength ?? d.slatCfgStrength,
  };
}
