/**
 * Brush and eraser strokes: discs of a given radius stamped along the segment between two pointer
 * samples, spaced closely enough (a quarter radius) that fast strokes leave no gaps.
 */
export function stampSegment(
  stroke: Uint8Array,
  width: number,
  height: number,
  x0: number, y0: number, x1: number, y1: number,
  radius: number,
): void {
  const r = Math.max(0.5, radius);
  const len = Math.hypot(x1 - x0, y1 - y0);
  const n = Math.max(1, Math.ceil(len / Math.max(0.5, r / 4)));
  for (let k = 0; k <= n; k++) {
    const t = k / n;
    stampDisc(stroke, width, height, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, r);
  }
}

export function stampDisc(stroke: Uint8Array, width: number, height: number, cx: number, cy: number, r: number): void {
  const r2 = r * r;
  const ya = Math.max(0, Math.floor(cy - r)), yb = Math.min(height - 1, Math.ceil(cy + r));
  const xa = Math.max(0, Math.floor(cx - r)), xb = Math.min(width - 1, Math.ceil(cx + r));
  for (let y = ya; y <= yb; y++) {
    const dy = y + 0.5 - cy;
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy <= r2) stroke[y * width + x] = 1;
    }
  }
}
