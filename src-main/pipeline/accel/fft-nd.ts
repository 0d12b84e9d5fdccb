/**
 * Separable N-dimensional complex FFT built on fft.js (1D radix-4, power-of-two sizes). Data are
 * interleaved complex numbers [re0, im0, re1, im1, …] in row-major order (last axis fastest), the same
 * layout as numpy's C order. The inverse is normalised by the element count, like numpy.fft.ifftn.
 */
import FFT from 'fft.js';

const plans = new Map<number, FFT>();

function planFor(size: number): FFT {
  if (size < 2 || (size & (size - 1)) !== 0) {
    throw new Error(`FFT size ${size} is not a power of two ≥ 2; resample the grid to a power-of-two size.`);
  }
  let plan = plans.get(size);
  if (!plan) {
    plan = new FFT(size);
    plans.set(size, plan);
  }
  return plan;
}

/** In-place N-D FFT of `data` (interleaved complex, row-major over `dims`). */
export function fftNd(data: Float64Array, dims: readonly number[], inverse = false): void {
  const total = dims.reduce((a, b) => a * b, 1);
  if (data.length !== 2 * total) {
    throw new Error(`fftNd: expected ${2 * total} interleaved values for dims [${dims.join(', ')}], got ${data.length}.`);
  }
  let stride = 1;
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    const n = dims[axis];
    const plan = planFor(n);
    const line = new Float64Array(2 * n);
    const out = new Float64Array(2 * n);
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
        if (inverse) plan.inverseTransform(out, line);
        else plan.transform(out, line);
        for (let m = 0; m < n; m++) {
          const dst = 2 * (start + m * stride);
          data[dst] = out[2 * m];
          data[dst + 1] = out[2 * m + 1];
        }
      }
    }
    stride *= n;
  }
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
