/** sRGB ↔ linear transfer (glTF's COLOR_0 is linear; our meshes carry sRGB-encoded colours). */
export function srgbToLinear(c: number): number {
  const x = c < 0 ? 0 : c > 1 ? 1 : c;
  return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
}

/** Linear → sRGB transfer (reading COLOR_0 back into a Mesh's sRGB colours). */
export function linearToSrgb(c: number): number {
  const x = c < 0 ? 0 : c > 1 ? 1 : c;
  return x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055;
}

export function srgbArrayToLinear(colors: Float32Array): Float32Array {
  const out = new Float32Array(colors.length);
  for (let i = 0; i < colors.length; i++) out[i] = srgbToLinear(colors[i]);
  return out;
}

/** 0..1 → 0..255 byte with rounding and clamping. */
export function toByte(c: number): number {
  const v = Math.round(c * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
