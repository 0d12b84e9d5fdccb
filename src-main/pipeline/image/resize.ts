/**
 * Deterministic resampling in plain TypeScript, matching PyTorch's `interpolate` so that the pipeline
 * feeds the networks what `tools/` trained them on: bilinear with antialias (separable triangle filter
 * widened by the downscale factor, align_corners = False) for RGB, and `nearest` (src = floor(dst·scale))
 * for masks.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  width: number;
}

function triangleTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1); // triangle support 1, widened when downscaling (antialias)
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * width);
  for (let o = 0; o < outSize; o++) {
    const center = scale * (o + 0.5);
    const lo = Math.max(Math.floor(center - support + 0.5), 0);
    const hi = Math.min(Math.floor(center + support + 0.5), inSize);
    let total = 0;
    const w: number[] = [];
    for (let s = lo; s < hi; s++) {
      const x = Math.abs((s - center + 0.5) / support);
      const v = x < 1 ? 1 - x : 0;
      w.push(v);
      total += v;
    }
    start[o] = lo;
    count[o] = w.length;
    for (let q = 0; q < w.length; q++) weights[o * width + q] = total > 0 ? w[q] / total : 0;
  }
  return { start, count, weights, width };
}

/** Resize an interleaved float image (h×w×c) to outH×outW, bilinear + antialias. */
export function resizeBilinearAA(
  src: Float32Array,
  w: number,
  h: number,
  c: number,
  outW: number,
  outH: number,
): Float32Array {
  const tx = triangleTaps(w, outW);
  const ty = triangleTaps(h, outH);
  const tmp = new Float32Array(h * outW * c); // horizontal pass
  for (let y = 0; y < h; y++) {
    for (let o = 0; o < outW; o++) {
      const s0 = tx.start[o];
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let q = 0; q < tx.count[o]; q++) acc += tx.weights[o * tx.width + q] * src[(y * w + s0 + q) * c + ch];
        tmp[(y * outW + o) * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(outH * outW * c); // vertical pass
  for (let o = 0; o < outH; o++) {
    const s0 = ty.start[o];
    for (let x = 0; x < outW; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let q = 0; q < ty.count[o]; q++) acc += ty.weights[o * ty.width + q] * tmp[((s0 + q) * outW + x) * c + ch];
        out[(o * outW + x) * c + ch] = acc;
      }
    }
  }
  return out;
}

/** Nearest-neighbour resize of a single-channel array (PyTorch `nearest`). */
export function resizeNearest<T extends Uint8Array | Float32Array>(
  src: T,
  w: number,
  h: number,
  outW: number,
  outH: number,
): T {
  const out = new (src.constructor as { new (n: number): T })(outW * outH);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(Math.floor((y * h) / outH), h - 1);
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(Math.floor((x * w) / outW), w - 1);
      out[y * outW + x] = src[sy * w + sx];
    }
  }
  return out;
}
