/**
 * One kebab-case CLI flag per parameter of src-shared/params.ts, generated from PARAM_SPECS so the CLI,
 * the API and the sliders never drift apart. Booleans get `--flag` / `--no-flag`; unset flags leave the
 * value to the preset.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_METHOD, PARAM_SPECS, PRESETS, cliFlag, isPreset, resolveParams, unreadReason } from '../../src-shared/params';
import type { AccelParams, ParamSpec } from '../../src-shared/params';
import { parseNumberFlag } from './numbers';

/** commander's camelCase attribute for a generated flag. */
function attr(spec: ParamSpec): string {
  return cliFlag(spec.key)
    .slice(2)
    .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The default a run gets without the flag: the default preset's value, then the values of the presets
 * that set another, then the table default where the default preset's differs from it (off and the
 * baselines start from the table). Sampler settings: no preset sets them.
 */
export function defaultText(spec: ParamSpec): string {
  if (spec.packDefault) return 'pack default';
  const key = spec.key as keyof AccelParams;
  const table = spec.default;
  const presets = (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).sort((a, b) => Number(b === DEFAULT_METHOD) - Number(a === DEFAULT_METHOD));
  const valueIn = (p: keyof typeof PRESETS) => resolveParams(p)[key];
  const dv = isPreset(DEFAULT_METHOD) ? valueIn(DEFAULT_METHOD) : table;
  const groups = new Map<unknown, string[]>();
  for (const p of presets) groups.set(valueIn(p), [...(groups.get(valueIn(p)) ?? []), p]);
  let text: string;
  if (dv === table) {
    const others = [...groups].filter(([v]) => v !== table).map(([v, ps]) => `${String(v)} with --preset ${ps.join(', ')}`);
    text = `default ${String(table)}${others.map((o) => `; ${o}`).join('')}`;
  } else {
    const same = groups.get(dv) ?? [];
    const others = [...groups].filter(([v]) => v !== dv && v !== table).map(([v, ps]) => `; ${String(v)} with --preset ${ps.join(', ')}`);
    const tableUsers = [...(groups.get(table) ?? []), 'the baselines'];
    text = `default ${String(dv)}, as the preset${same.length > 1 ? 's' : ''} ${same.join(', ')} set${same.length > 1 ? '' : 's'} it${others.join('')}; ${String(table)} with ${tableUsers.join(' and ')}`;
  }
  // Say so where the default preset does not read the parameter at all (β in faithful layout mode).
  const unread = isPreset(DEFAULT_METHOD) ? unreadReason(DEFAULT_METHOD, resolveParams(DEFAULT_METHOD), key) : null;
  return unread ? `${text}; no effect with the default preset ${DEFAULT_METHOD}: ${unread}` : text;
}

function describe(spec: ParamSpec): string {
  const range = spec.kind === 'number' || spec.kind === 'integer' ? ` [${spec.min}..${spec.max}]` : '';
  return `${spec.symbol}: ${spec.help}${range} (${defaultText(spec)})`;
}

export function addParamFlags(cmd: Command): Command {
  for (const spec of PARAM_SPECS as readonly ParamSpec[]) {
    const flag = cliFlag(spec.key);
    if (spec.kind === 'boolean') {
      cmd.addOption(new Option(flag, describe(spec)));
      cmd.addOption(new Option(`--no-${flag.slice(2)}`, `turn ${spec.symbol} off`));
    } else if (spec.kind === 'enum') {
      cmd.addOption(new Option(`${flag} <value>`, describe(spec)).choices(spec.options as string[]));
    } else {
      cmd.addOption(new Option(`${flag} <${spec.kind === 'integer' ? 'n' : 'x'}>`, describe(spec)));
    }
  }
  return cmd;
}

/** The parameter overrides the user gave, validated here (plain decimal numbers within the spec's range). */
export function paramOverrides(opts: Record<string, unknown>): Partial<AccelParams> {
  const out: Record<string, unknown> = {};
  for (const spec of PARAM_SPECS as readonly ParamSpec[]) {
    const v = opts[attr(spec)];
    if (v === undefined) continue;
    if (spec.kind === 'number' || spec.kind === 'integer') {
      out[spec.key] = parseNumberFlag(cliFlag(spec.key), v, {
        integer: spec.kind === 'integer',
        min: spec.min,
        max: spec.max,
      });
    } else {
      out[spec.key] = v;
    }
  }
  return out as Partial<AccelParams>;
}
