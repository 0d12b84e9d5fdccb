/**
 * Seeded noise, deterministic across runs and platforms.
 *
 * Generator: xoshiro128** (32-bit words, so every operation is exact in JavaScript with Math.imul and
 * `>>> 0`), its 128-bit state filled from a splitmix64 sequence (BigInt, only at seeding) started at
 * `seed · 2^32 + stream`. Independent streams of one seed: stream 0 = SS noise, stream 1 = SLaT noise,
 * stream 2 = acceleration policies (random-drop), 3 = the random subset kept above the pack's voxel cap.
 *
 * Uniforms: 53-bit float64 in [0, 1) from two 32-bit outputs (high 21 bits of the first, 32 of the second).
 * Normals: Box-Muller on float64 producing pairs: u1 = 1 − uniform() ∈ (0, 1], u2 = uniform();
 * z0 = √(−2 ln u1)·cos(2π u2), z1 = √(−2 ln u1)·sin(2π u2); z0 is used first, then z1; values are rounded
 * to float32 when written into tensors. (Math.log/cos/sin are V8's fdlibm ports, identical on every
 * platform Node runs on.)
 *
 * Draw order (docs/model-pack.md): SS — x_shape token-major (token n, channel c), then rot6d (6),
 * translation (3), scale (3), translation_scale (1), per batch item in order; SLaT — N×C row-major in
 * coordinate order.
 */

const MASK64 = (1n << 64n) - 1n;

function splitmix64(state: bigint): { next: bigint; out: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z = z ^ (z >> 31n);
  return { next, out: z };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** `ssShapeSample`: shape sample j ≥ 1 (sampler setting ssSamples) draws its SS noise from stream 16 + j − 1. */
export const RNG_STREAMS = { ss: 0, slat: 1, policy: 2, voxelCap: 3, ssShapeSample: 16 } as const;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number, stream = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
      throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    let state = (BigInt(seed) << 32n) | BigInt(stream >>> 0);
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = splitmix64(state);
      state = r.next;
      words.push(Number(r.out >> 32n), Number(r.out & 0xffffffffn));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // xoshiro must not start from the all-zero state (splitmix64 practically never yields it).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float64 in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 11; // 21 bits
    const lo = this.nextU32(); // 32 bits
    return (hi * 4294967296 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller, pairs; see the file comment for the exact order). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Fill `out` with standard normals in index order (float32-rounded). */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }
}

/** A `() => uniform` function over a seeded stream (the acceleration policies' Rng type). */
export function rngFunction(seed: number, stream: number): () => number {
  const r = new Rng(seed, stream);
  return () => r.uniform();
}
