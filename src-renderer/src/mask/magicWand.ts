/**
 * Magic wand: region growing from a seed pixel over 4-connected neighbours whose colour stays within a
 * tolerance of the seed colour (Euclidean distance in RGB, 0..441). Comparing with the seed rather than
 * the neighbour keeps the region from creeping along slow gradients.
 */
export function magicWand(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  seedX: number,
  seedY: number,
  tolerance: number,
): Uint8Array {
  if (rgba.length !== width * height * 4) {
    throw new Error(`Expected ${width * height * 4} RGBA bytes for ${width}×${height}, got ${rgba.length}.`);
  }
  const out = new Uint8Array(width * height);
  const sx = Math.floor(seedX), sy = Math.floor(seedY);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return out;
  const s = (sy * width + sx) * 4;
  const r0 = rgba[s], g0 = rgba[s + 1], b0 = rgba[s + 2];
  const tol2 = Math.max(0, tolerance) ** 2;
  const within = (i: number): boolean => {
    const p = i * 4;
    const dr = rgba[p] - r0, dg = rgba[p + 1] - g0, db = rgba[p + 2] - b0;
    return dr * dr + dg * dg + db * db <= tol2;
  };
  // Explicit stack of pixel indices: no recursion, bounded by the pixel count.
  const stack = new Int32Array(width * height);
  let top = 0;
  const seed = sy * width + sx;
  out[seed] = 1;
  stack[top++] = seed;
  while (top > 0) {
    const i = stack[--top];
    const x = i % width;
    const y = (i - x) / width;
    if (x > 0 && !out[i - 1] && within(i - 1)) { out[i - 1] = 1; stack[top++] = i - 1; }
    if (x < width - 1 && !out[i + 1] && within(i + 1)) { out[i + 1] = 1; stack[top++] = i + 1; }
    if (y > 0 && !out[i - width] && within(i - width)) { out[i - width] = 1; stack[top++] = i - width; }
    if (y < height - 1 && !out[i + width] && within(i + width)) { out[i + width] = 1; stack[top++] = i + width; }
  }
  return out;
}
