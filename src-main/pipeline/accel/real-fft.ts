/**
 * Real-input N-D FFT on a half spectrum, for the spectral ratios (HFER) where the input is a real grid.
 * A real grid's spectrum is Hermitian (X[−k] = conj X[k]), so only the last-axis bins 0..n/2 are kept
 * ("rfftn" layout, dims [..., n/2 + 1]): the last axis uses fft.js's real transform and the other axes
 * run complex transforms over half as many lines, about half the work of a full complex fftNd.
 * Plans and line buffers are cached per size (fft-nd.ts) so repeated calls allocate only their outputs.
 */
import { checkFftSize, fftAxes, kitFor } from './fft-nd';

export { checkFftSize };

/** Number of last-axis bins kept in the half spectrum of an n-point real axis. */
export function halfBins(n: number): number {
  return n / 2 + 1;
}

/** How many times last-axis bin k counts in a full-spectrum sum: bins 1..n/2−1 stand for ±k. */
export function hermitianWeight(k: number, n: number): number {
  return k === 0 || k === n / 2 ? 1 : 2;
}

/**
 * Forward FFT of a real row-major grid `input` (dims, last axis fastest) into `out`, the interleaved
 * complex half spectrum of dims [..., last/2 + 1]. `out` must hold 2·(total/last)·(last/2+1) values.
 */
export function rfftNd(input: Float64Array, dims: readonly number[], out: Float64Array): void {
  const total = dims.reduce((a, b) => a * b, 1);
  if (input.length !== total) {
    throw new Error(`rfftNd: expected ${total} real values for dims [${dims.join(', ')}], got ${input.length}.`);
  }
  const n = dims[dims.length - 1];
  const h = halfBins(n);
  const lines = total / n;
  if (out.length !== 2 * lines * h) {
    throw new Error(`rfftNd: output holds ${out.length} values, expected ${2 * lines * h}.`);
  }
  const kit = kitFor(n);
  for (let l = 0; l < lines; l++) {
    kit.real.set(input.subarray(l * n, (l + 1) * n));
    kit.plan.realTransform(kit.a, kit.real); // fills bins 0..n/2 (the rest is not needed)
    out.set(kit.a.subarray(0, 2 * h), 2 * l * h);
  }
  fftAxes(out, halfDims(dims), dims.length - 1, false);
}

/**
 * Inverse of rfftNd, in place on the half spectrum `spec` (its non-last axes are transformed back),
 * writing the real grid to `out` (normalised like numpy.fft.irfftn). The spectrum must be Hermitian,
 * which holds for a real grid's spectrum times any mask symmetric under k → −k; the imaginary parts of
 * the self-conjugate last-axis bins (0 and n/2) are then rounding noise and are dropped.
 */
export function irfftNd(spec: Float64Array, dims: readonly number[], out: Float64Array): void {
  const total = dims.reduce((a, b) => a * b, 1);
  const n = dims[dims.length - 1];
  const h = halfBins(n);
  const lines = total / n;
  if (out.length !== total || spec.length !== 2 * lines * h) {
    throw new Error(`irfftNd: sizes do not match dims [${dims.join(', ')}].`);
  }
  fftAxes(spec, halfDims(dims), dims.length - 1, true);
  const kit = kitFor(n);
  const c = kit.a, res = kit.b;
  // Two real lines per complex transform: C = A + i·B inverts to a + i·b when A and B are Hermitian.
  for (let l = 0; l < lines; l += 2) {
    const pa = 2 * l * h;
    const hasB = l + 1 < lines;
    const pb = pa + 2 * h;
    for (let k = 0; k < h; k++) {
      const aRe = spec[pa + 2 * k], aIm = k === 0 || k === n / 2 ? 0 : spec[pa + 2 * k + 1];
      const bRe = hasB ? spec[pb + 2 * k] : 0, bIm = hasB && k !== 0 && k !== n / 2 ? spec[pb + 2 * k + 1] : 0;
      // C[k] = A[k] + i·B[k]
      c[2 * k] = aRe - bIm;
      c[2 * k + 1] = aIm + bRe;
      if (k > 0 && k < n / 2) {
        // C[n−k] = conj A[k] + i·conj B[k]
        const m = n - k;
        c[2 * m] = aRe + bIm;
        c[2 * m + 1] = -aIm + bRe;
      }
    }
    kit.plan.inverseTransform(res, c);
    const oa = l * n;
    for (let m = 0; m < n; m++) out[oa + m] = res[2 * m];
    if (hasB) for (let m = 0; m < n; m++) out[oa + n + m] = res[2 * m + 1];
  }
}

function halfDims(dims: readonly number[]): number[] {
  const d = dims.slice();
  d[d.length - 1] = halfBins(dims[dims.length - 1]);
  return d;
}
