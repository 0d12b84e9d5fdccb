/** Parameters of one run: method preset + user overrides, validated, with the pack's sampler defaults. */
import { AccelOverridesSchema, AccelParamsSchema, DEFAULT_PARAMS, PARAM_SPECS, PRESETS, cliFlag } from '../../src-shared/params';
import type { AccelParams, Method, SamplerDefaults } from '../../src-shared/params';
import { PipelineInputError } from './errors';
import type { Manifest } from './pack/manifest-schema';

/**
 * Presets (off, fast-sam3d, balanced, max) apply their switches; baselines start from the defaults (their
 * technique is chosen by the method itself, see accel/policies.ts).
 */
export function resolveRunParams(method: Method, overrides: Partial<AccelParams> = {}): AccelParams {
  const o = AccelOverridesSchema.safeParse(overrides);
  if (!o.success) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `invalid parameters: ${o.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const preset = method in PRESETS ? PRESETS[method as keyof typeof PRESETS] : {};
  const merged = { ...DEFAULT_PARAMS, ...preset, ...o.data };
  const parsed = AccelParamsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `invalid parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const p = parsed.data;
  if (p.ssCache && p.ssCacheStride >= 2 && p.ssWarmup < 1) {
    throw new PipelineInputError('BAD_PARAMS', `${paramName('ssWarmup')} must be at least 1 when ${paramName('ssCacheStride')} is 2 or more.`);
  }
  if (p.meshTauLow > p.meshTauHigh) {
    throw new PipelineInputError(
      'BAD_PARAMS',
      `${paramName('meshTauLow')} = ${p.meshTauLow} must not exceed ${paramName('meshTauHigh')} = ${p.meshTauHigh}.`,
    );
  }
  return p;
}

/** A parameter as both the window and the CLI call it: "τ low (meshTauLow, --mesh-tau-low)". */
function paramName(key: keyof AccelParams): string {
  const spec = PARAM_SPECS.find((s) => s.key === key);
  return `${spec ? `${spec.symbol} ` : ''}(${key}, ${cliFlag(key)})`;
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

/** The params as reported: sampler settings filled in from the pack when not overridden. */
export function reportedParams(p: AccelParams, m: Manifest): Record<string, number | boolean | string> {
  const d = packSamplerDefaults(m);
  return {
    ...(p as unknown as Record<string, number | boolean | string>),
    ssSteps: p.ssSteps ?? d.ssSteps,
    ssCfgStrength: p.ssCfgStrength ?? d.ssCfgStrength,
    slatSteps: p.slatSteps ?? d.slatSteps,
    slatCfgStrength: p.slatCfgStrength ?? d.slatCfgStrength,
  };
}
