/** Rounding shared by the spectral code and the coordinate shrink. */

/** Round half to even (torch.round / numpy.round). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
