/**
 * Acceleration panel, generated from PARAM_SPECS: a method picker (presets and baselines), one group per
 * module with its switch, a slider + exact field per parameter (label = paper symbol, description = the
 * table's one-line help, range and default shown), sampler settings and the seed.
 */
import { useId } from 'react';
import type { AccelParams, Method, ParamSpec, SamplerDefaults, SamplerKey } from '../../../src-shared/params';
import {
  applyMethod, BASELINE_METHODS, changedKeys, coerceValue, formatValue, isActive, isPresetMethod, matchingPreset,
  MODULES, paramProblems, PRESET_METHODS, randomSeed, resetParams, specsOf, switchSpec,
} from '../params/paramModel';

interface Props {
  method: Method;
  values: AccelParams;
  onChange: (method: Method, values: AccelParams) => void;
  autoRerun: boolean;
  onAutoRerun: (on: boolean) => void;
  /** The selected pack's sampler settings: what a "pack" value runs with (absent before the packs load). */
  packDefaults?: SamplerDefaults;
}

function ParamControl({ spec, value, packValue, methodValue, active, changed, onValue }: {
  spec: ParamSpec; value: unknown; packValue?: number;
  /** What the chosen preset sets where it differs from the table's default ("fast-sam3d preset: faithful"). */
  methodValue?: { method: Method; value: unknown };
  active: boolean; changed: boolean; onValue: (v: unknown) => void;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const range = spec.kind === 'integer' || spec.kind === 'number' ? `${spec.min}…${spec.max}` : '';
  const def = spec.packDefault ? `the pack's${packValue !== undefined ? ` (${packValue})` : ''}` : String(spec.default);
  const help = (
    <p id={helpId} className="help">
      {spec.help} <span className="muted">{range && `Range ${range}, `}default {def}{methodValue && `; the ${methodValue.method} preset uses ${String(methodValue.value)}`}.</span>
    </p>
  );
  if (spec.kind === 'boolean') {
    return (
      <div className={`param${changed ? ' changed' : ''}`}>
        <label htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} disabled={!active} aria-describedby={helpId}
            onChange={(e) => onValue(e.target.checked)} />
          {spec.symbol}
        </label>
        {help}
      </div>
    );
  }
  if (spec.kind === 'enum') {
    return (
      <div className={`param${changed ? ' changed' : ''}`}>
        <label htmlFor={id}>{spec.symbol}</label>
        <select id={id} value={String(value)} disabled={!active} aria-describedby={helpId} onChange={(e) => onValue(e.target.value)}>
          {spec.options!.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        {help}
      </div>
    );
  }
  // A sampler setting left to the pack shows what the pack runs with, not the table's generic default.
  const shown = typeof value === 'number' ? value : packValue ?? Number(spec.default);
  const set = (raw: string) => { const v = coerceValue(spec, raw); if (v !== null) onValue(v); };
  const sliderMax = spec.key === 'seed' ? undefined : spec.max;
  return (
    <div className={`param${changed ? ' changed' : ''}${active ? '' : ' inactive'}`}>
      <div className="param-line">
        <label htmlFor={id}>{spec.symbol}</label>
        {spec.key !== 'seed' && (
          <input id={id} type="range" min={spec.min} max={sliderMax} step={spec.step ?? 'any'} value={shown} disabled={!active}
            aria-describedby={helpId} onChange={(e) => set(e.target.value)} />
        )}
        <input
          id={spec.key === 'seed' ? id : undefined}
          type="number" className="exact" min={spec.min} max={spec.max} step={spec.step ?? 'any'} value={shown} disabled={!active}
          aria-label={spec.key === 'seed' ? undefined : `${spec.symbol} (exact value)`}
          aria-describedby={helpId}
          onChange={(e) => set(e.target.value)}
        />
        {spec.key === 'seed' && (
          <button type="button" onClick={() => onValue(randomSeed())} aria-label="Randomize seed" title="A new random seed">random</button>
        )}
        {spec.packDefault && value !== undefined && (
          <button type="button" className="link" onClick={() => onValue(undefined)} aria-label={`${spec.symbol}: use the pack's value`}>pack</button>
        )}
        {spec.packDefault && value === undefined && <span className="muted">pack</span>}
      </div>
      {help}
    </div>
  );
}

export function AccelPanel({ method, values, onChange, autoRerun, onAutoRerun, packDefaults }: Props) {
  const changed = changedKeys(values);
  const preset = matchingPreset(values);
  // The help's "default" is the table's; where the chosen preset sets another value, the help says so too.
  const methodValues = resetParams(values, method);
  const presetDiffers = (s: ParamSpec) => isPresetMethod(method) && !s.packDefault && s.key !== 'seed'
    && methodValues[s.key as keyof AccelParams] !== s.default;
  const setValue = (key: string, v: unknown) => {
    const next = { ...values, [key]: v } as AccelParams;
    // Tuning a preset's value leaves the method as is; the panel shows "tuned" until it matches a preset again.
    onChange(method, next);
  };
  return (
    <section className="panel accel-panel" aria-label="Acceleration">
      <header className="panel-head">
        <h2>Acceleration</h2>
        <button type="button" onClick={() => onChange(method, resetParams(values, method))}
          title="Back to the method's values (the preset's, or the defaults for a baseline); the seed stays">Reset</button>
      </header>
      <div className="method-row">
        <label htmlFor="method-select">Method</label>
        <select id="method-select" value={method}
          onChange={(e) => { const m = e.target.value as Method; onChange(m, applyMethod(values, m)); }}>
          <optgroup label="Presets">{PRESET_METHODS.map((m) => <option key={m} value={m}>{m}</option>)}</optgroup>
          <optgroup label="Baselines">{BASELINE_METHODS.map((m) => <option key={m} value={m}>{m}</option>)}</optgroup>
        </select>
        <span className="muted" aria-live="polite">
          {isPresetMethod(method) ? (preset === method ? 'preset values' : 'tuned') : 'baseline method'}
        </span>
      </div>
      {paramProblems(values).map((msg) => <p key={msg} className="error" role="alert">{msg}</p>)}
      <label className="auto-rerun">
        <input type="checkbox" checked={autoRerun} onChange={(e) => onAutoRerun(e.target.checked)} />
        Re-run automatically when a value changes
      </label>
      {MODULES.map((m) => {
        const sw = switchSpec(m.id);
        return (
          <fieldset key={m.id} className="module">
            <legend>
              {sw ? (
                <label>
                  <input type="checkbox" checked={values[sw.key as keyof AccelParams] === true}
                    aria-describedby={`sw-${m.id}`}
                    onChange={(e) => setValue(sw.key, e.target.checked)} />
                  {sw.symbol}
                </label>
              ) : m.title}
            </legend>
            {sw && <p id={`sw-${m.id}`} className="help">{sw.help}</p>}
            {specsOf(m.id).map((s) => (
              <ParamControl key={s.key} spec={s} value={values[s.key as keyof AccelParams]}
                packValue={s.packDefault ? packDefaults?.[s.key as SamplerKey] : undefined}
                methodValue={presetDiffers(s) ? { method, value: methodValues[s.key as keyof AccelParams] } : undefined}
                active={isActive(values, s)}
                changed={changed.has(s.key)} onValue={(v) => setValue(s.key, v)} />
            ))}
          </fieldset>
        );
      })}
      <p className="muted summary">
        {[...changed].map((k) => {
          const s = specsOf('ss').concat(specsOf('slat'), specsOf('mesh'), specsOf('sampler')).find((x) => x.key === k);
          return s ? `${s.symbol}=${formatValue(s, values[k as keyof AccelParams])}` : null;
        }).filter(Boolean).join(' · ') || 'All values at their defaults.'}
      </p>
    </section>
  );
}
