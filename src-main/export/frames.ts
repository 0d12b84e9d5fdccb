/**
 * Frame conversions (../shared/design/architecture.md, docs/model-pack.md):
 * - object frame (z-up) → glTF (y-up, metres): (x, y, z) → (x, z, −y);
 * - layout: p_cam = s·Rᵀ·p_obj + t (row-vector form p_obj·R·s + t), PyTorch3D camera frame (x left, y up,
 *   z forward);
 * - camera frame → glTF scene with the camera at the origin looking down −Z: diag(−1, 1, −1).
 */
import { checkLayout } from '../pipeline/camera';
import type { Layout } from '../pipeline/types';

/** Object frame → glTF axes, applied to a V×3 array (positions or normals). */
export function objectToGltf(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    out[i] = v[i];
    out[i + 1] = v[i + 2];
    out[i + 2] = -v[i + 1];
  }
  return out;
}

/** Camera frame (PyTorch3D) → glTF scene axes: diag(−1, 1, −1). */
export function cameraToGltf(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    out[i] = -v[i];
    out[i + 1] = v[i + 1];
    out[i + 2] = -v[i + 2];
  }
  return out;
}

/** The mesh placed in the camera frame by its layout: one home in the pipeline (the photo's camera). */
export { poseMesh } from '../pipeline/camera';

type Mat3 = number[]; // row-major

function mul(a: Mat3, b: Mat3): Mat3 {
  const o = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return o;
}

/** Unit quaternion [x, y, z, w] (glTF order) of a proper rotation matrix (row-major). */
export function matrixToQuaternion(m: Mat3): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m;
  const tr = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const S = Math.sqrt(tr + 1) * 2;
    w = 0.25 * S;
    x = (m21 - m12) / S;
    y = (m02 - m20) / S;
    z = (m10 - m01) / S;
  } else if (m00 > m11 && m00 > m22) {
    const S = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / S;
    x = 0.25 * S;
    y = (m01 + m10) / S;
    z = (m02 + m20) / S;
  } else if (m11 > m22) {
    const S = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / S;
    x = (m01 + m10) / S;
    y = 0.25 * S;
    z = (m12 + m21) / S;
  } else {
    const S = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / S;
    x = (m02 + m20) / S;
    y = (m12 + m21) / S;
    z = 0.25 * S;
  }
  const len = Math.hypot(x, y, z, w);
  return [x / len, y / len, z / len, w / len];
}

/**
 * glTF node TRS that places a mesh stored in glTF object axes ((x, z, −y) of the object frame) where its
 * layout puts it in a glTF scene whose camera sits at the origin looking down −Z:
 * M = C · (s·Rᵀ) · Y⁻¹ with C = diag(−1, 1, −1) and Y the object→glTF axis swap; translation C·t.
 */
export function layoutToGltfNode(layout: Layout): {
  rotation: [number, number, number, number];
  scale: [number, number, number];
  translation: [number, number, number];
} {
  checkLayout(layout);
  const R = layout.rotation;
  const Rt: Mat3 = [R[0], R[3], R[6], R[1], R[4], R[7], R[2], R[5], R[8]];
  const C: Mat3 = [-1, 0, 0, 0, 1, 0, 0, 0, -1];
  const Yinv: Mat3 = [1, 0, 0, 0, 0, -1, 0, 1, 0]; // inverse of (x, y, z) → (x, z, −y)
  const rot = mul(mul(C, Rt), Yinv);
  const [tx, ty, tz] = layout.translation;
  return {
    rotation: matrixToQuaternion(rot),
    scale: [layout.scale, layout.scale, layout.scale],
    translation: [-tx, ty, -tz],
  };
}
