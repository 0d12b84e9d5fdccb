/** The Export dialog's "Simplify to [n] triangles" field, as pure rules (tested in exportTarget.test.ts). */

/** Smallest target the dialog offers (the API takes 4 and up). */
export const MIN_TARGET = 100;

/** Said when the field holds no usable target while Simplify is ticked. */
export const TARGET_REFUSED = `Enter a whole number of triangles, at least ${MIN_TARGET}, or untick “Simplify to”.`;

/**
 * The typed target as a whole number (rounded), or null when it is not a number or below MIN_TARGET: an
 * empty field, letters or 0 are a mistake to say, not a silent 100-triangle export.
 */
export function targetCount(text: string): number | null {
  const n = Math.round(Number(text));
  return text.trim() !== '' && Number.isFinite(n) && n >= MIN_TARGET ? n : null;
}

/** The field's first value: half the mesh's triangles (20 000 when unknown), never under MIN_TARGET. */
export function initialTarget(triangles: number | null): string {
  return String(Math.max(MIN_TARGET, Math.round((triangles ?? 20000) / 2)));
}
