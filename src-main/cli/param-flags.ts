/**
 * One kebab-case CLI flag per parameter of src-shared/params.ts, generated from PARAM_SPECS so the CLI,
 * the API and the sliders never drift apart. Booleans get `--flag` / `--no-flag`; unset flags leave the
 * value to the preset.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { PARAM_SPECS, cliFlag } from '../../src-shared/params';
import type { AccelParams, ParamSpec } from '../../src-shared/params';
import { parseNumberFlag } from './numbers';

/** commander's camelCase attribute for a generated flag. */
function attr(spec: ParamSpec): string {
  return cliFlag(spec.key)
    .slice(2)
    .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function describe(spec: ParamSpec): string {
  const range = spec.kind === 'number' || spec.kind === 'integer' ? ` [${spec.min}..${spec.max}]` : '';
  const def = spec.packDefault ? 'pack default' : `default ${String(spec.default)} unless the preset sets it`;
  return `${spec.symbol}: ${spec.help}${range} (${def})`;
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
