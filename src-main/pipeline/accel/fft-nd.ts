/**
 * Separable N-dimensional complex FFT built on fft.js (1D radix-4, power-of-two sizes), and the cached
 * per-size plans and line buffers that the real-input transforms (real-fft.ts) share. Data are interleaved
 * complex numbers [re0, im0, re1, im1, …] in row-major order (last axis fastest), the same layout as
 * numpy's C order. The inverse is normalised by the element count, like numpy.fft.ifftn.
 */
import FFT from 'fft.js';

/** A plan and its scratch lines for one transform size (one per size, reused by every call). */
export interface LineKit {
  plan: FFT;
  /** Interleaved complex line buffers of n points (input and output of one transform). */
  a: Float64Array;
  b: Float64Array;
  /** Real input line of n points. */
  real: Float64Array;
}

const kits = new Map<number, LineKit>();

/** Throws a clear error unless n is a power of two ≥ 2 (the sizes fft.js handles). */
export function checkFftSize(n: number): void {
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
    throw new Error(`FFT size ${n} is not a power of two ≥ 2; resample the grid to a power-of-two size.`);
  }
}

/** The cached plan and line buffers of size n. */
export function kitFor(n: number): LineKit {
  checkFftSize(n);
  let kit = kits.get(n);
  if (!kit) {
    kit = { plan: new FFT(n), a: new Float64Array(2 * n), b: new Float64Array(2 * n), real: new Float64Array(n) };
    kits.set(n, kit);
  }
  return kit;
}

/**
 * In-place complex FFT of an interleaved complex grid (row-major over `dims`) along its first
 * `axisCount` axes (all of them for a full N-D transform; all but the last for a half spectrum).
 */
export function fftAxes(data: Float64Array, dims: readonly number[], axisCount: number, inverse: boolean): void {
  const total = dims.reduce((a, b) => a * b, 1);
  let stride = 1;
  for (let axis = dims.length - 1; axis >= axisCount; axis--) stride *= dims[axis];
  for (let axis = axisCount - 1; axis >= 0; axis--) {
    const n = dims[axis];
    const kit = kitFor(n);
    const line = kit.a,
      res = kit.b;
    const block = n * stride;
    // Every line along `axis`: start = outer·block + inner, elements start + m·stride.
    for (let outer = 0; outer < total; outer += block) {
      for (let inner = 0; inner < stride; inner++) {
        const start = outer + inner;
        for (let m = 0; m < n; m++) {
          const src = 2 * (start + m * stride);
          line[2 * m] = data[src];
          line[2 * m + 1] = data[src + 1];
        }
        if (inverse) kit.plan.inverseTransform(res, line);
        else kit.plan.transform(res, line);
        for (let m = 0; m < n; m++) {
          const dst = 2 * (start + m * stride);
          data[dst] = res[2 * m];
          data[dst + 1] = res[2 * m + 1];
        }
      }
    }
    stride *= n;
  }
}

/** In-place N-D FFT of `data` (interleaved complex, row-major over `dims`). */
export function fftNd(data: Float64Array, dims: readonly number[], inverse = false): void {
  const total = dims.reduce((a, b) => a * b, 1);
  if (data.length !== 2 * total) {
    throw new Error(`fftNd: expected ${2 * total} interleaved values for dims [${dims.join(', ')}], got ${data.length}.`);
  }
  fftAxes(data, dims, dims.length, inverse);
}

/** Interleaved complex copy of a real array. */
export function toComplex(real: ArrayLike<number>): Float64Array {
  const c = new Float64Array(2 * real.length);
  for (let i = 0; i < real.length; i++) c[2 * i] = real[i];
  return c;
}

/** Signed frequency of FFT bin u of an n-point transform (numpy fftfreq·n): 0..n/2-1, then -n/2..-1.
 *  After fftshift the bin sits at index f + n/2, so distances "from the shifted centre" are |f|. */
export function signedFrequency(u: number, n: number): number {
  return u < n / 2 ? u : u - n;
}
