/**
 * Numeric flag values: plain decimal numbers only ("12", "-3", "0.25", ".5"). Number() alone would take
 * "" as 0, "0x10" as 16, "1e3" and " 7 " as numbers, so a typo could run with a value nobody typed.
 */
import { UsageError } from './exit-codes';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

function expected(rule: NumberRule): string {
  const { integer, min, max } = rule;
  if (min !== undefined && max !== undefined)
    return `${integer ? 'an integer' : 'a decimal number'} in [${min}, ${max}]`;
  if (integer && min === 1 && max === undefined) return 'a positive integer';
  if (integer && min === 0 && max === undefined) return 'a non-negative integer';
  const what = integer ? 'an integer' : 'a decimal number';
  if (min !== undefined) return `${what} ≥ ${min}`;
  if (max !== undefined) return `${what} ≤ ${max}`;
  return what;
}

/** The value of `flag`, or a UsageError naming the flag and the accepted format and range. */
export function parseNumberFlag(flag: string, value: unknown, rule: NumberRule = {}): number {
  const v = String(value);
  const n = Number(v);
  // Well-formed but too large to hold exactly (a 20-digit integer): out of range, not misspelt.
  const wellFormed = (rule.integer ? INTEGER : DECIMAL).test(v);
  if (wellFormed && (!Number.isFinite(n) || (rule.integer && !Number.isSafeInteger(n))))
    throw new UsageError(`${flag} needs ${expected(rule)}, got ${v}, which is out of range`);
  if (!wellFormed || !Number.isFinite(n))
    throw new UsageError(
      `${flag} needs ${expected(rule)}, got "${v}" (plain decimal digits only${rule.integer ? '' : ', like 0.25'})`,
    );
  if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
    throw new UsageError(
      rule.min !== undefined && rule.max !== undefined
        ? `${flag} must be within [${rule.min}, ${rule.max}], got ${v}`
        : `${flag} needs ${expected(rule)}, got "${v}"`,
    );
  }
  return n;
}
