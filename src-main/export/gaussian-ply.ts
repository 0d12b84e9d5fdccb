/**
 * 3D Gaussian Splatting PLY (the field names of the original 3DGS code that viewers and Blender add-ons
 * read): x y z nx ny nz f_dc_0..2 f_rest_0.. opacity scale_0..2 rot_0..3, all float32 little-endian.
 * Values are stored raw as the format expects: opacity as a logit, scales as logs, rotation as a
 * quaternion (w, x, y, z), colour as degree-0 spherical-harmonic coefficients. For packs with a Gaussian
 * decoder; positions in the object frame (z-up) unless posed by the caller.
 */
import { writeFileAtomic } from './atomic-write';
import { ExportInputError } from './mesh-input';

export interface GaussianCloud {
  /** N×3 centres. */
  positions: Float32Array;
  /** N×3 SH DC coefficients (f_dc). */
  shDc: Float32Array;
  /** N×(3·K) higher SH coefficients, channel-major as 3DGS stores them (f_rest); empty for degree 0. */
  shRest?: Float32Array;
  /** N opacity logits. */
  opacities: Float32Array;
  /** N×3 log scales. */
  scales: Float32Array;
  /** N×4 unit quaternions (w, x, y, z). */
  rotations: Float32Array;
}

export function gaussianPlyBytes(g: GaussianCloud): Uint8Array {
  const N = g.positions.length / 3;
  if (!Number.isInteger(N) || N === 0) throw new ExportInputError('Gaussian cloud is empty or positions is not N×3');
  const check = (name: string, arr: Float32Array, per: number) => {
    if (arr.length !== N * per)
      throw new ExportInputError(`Gaussian cloud: ${name} has ${arr.length} values, expected ${N}×${per}`);
  };
  check('shDc', g.shDc, 3);
  check('opacities', g.opacities, 1);
  check('scales', g.scales, 3);
  check('rotations', g.rotations, 4);
  const rest = g.shRest ?? new Float32Array(0);
  const restPer = rest.length / N;
  if (!Number.isInteger(restPer) || restPer % 3 !== 0)
    throw new ExportInputError(`Gaussian cloud: shRest has ${rest.length} values, not N×3K`);
  const names = ['x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2'];
  for (let i = 0; i < restPer; i++) names.push(`f_rest_${i}`);
  names.push('opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3');
  const header =
    [
      'ply',
      'format binary_little_endian 1.0',
      `element vertex ${N}`,
      ...names.map((n) => `property float ${n}`),
      'end_header',
    ].join('\n') + '\n';
  const head = Buffer.from(header, 'ascii');
  const stride = names.length;
  const body = new Float32Array(N * stride);
  for (let i = 0; i < N; i++) {
    const o = i * stride;
    body.set(g.positions.subarray(3 * i, 3 * i + 3), o);
    // normals are unused by 3DGS but part of the standard layout: zeros
    body.set(g.shDc.subarray(3 * i, 3 * i + 3), o + 6);
    if (restPer) body.set(rest.subarray(restPer * i, restPer * (i + 1)), o + 9);
    body[o + 9 + restPer] = g.opacities[i];
    body.set(g.scales.subarray(3 * i, 3 * i + 3), o + 10 + restPer);
    body.set(g.rotations.subarray(4 * i, 4 * i + 4), o + 13 + restPer);
  }
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head, 0);
  // Float32Array is little-endian on every platform Node supports (x64, arm64).
  out.set(new Uint8Array(body.buffer), head.length);
  return out;
}

export async function writeGaussianPly(file: string, g: GaussianCloud): Promise<number> {
  return writeFileAtomic(file, gaussianPlyBytes(g));
}
