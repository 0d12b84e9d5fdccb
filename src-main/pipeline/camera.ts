/**
 * The photo's pinhole camera (docs/model-pack.md, "Frames"): the photo sits centred in a padded square
 * (as the condition's full frame puts it, preprocess.fullFrameWindow) whose side spans the pack's field of
 * view. An object-frame point is placed by the layout, p_cam = (s·p)·R + t (row vectors, PyTorch3D camera:
 * x left, y up, z forward), and lands on pixel (u, v) of the photo, where pixel (i, j) covers [i, i+1) ×
 * [j, j+1). One home for the stages that compare the predicted object with the photo (fit to mask, colour
 * from photo).
 */
import { fullFrameWindow } from './image/preprocess';
import type { Layout, Mesh } from './types';

export interface PhotoCamera {
  /** Photo size in pixels. */
  width: number;
  height: number;
  /** Side of the padded square and the focal length, both in pixels. */
  side: number;
  focal: number;
  padX: number;
  padY: number;
}

export function photoCamera(fovDeg: number, width: number, height: number): PhotoCamera {
  const frame = fullFrameWindow(width, height);
  return {
    width,
    height,
    side: frame.side,
    focal: frame.side / 2 / Math.tan((fovDeg * Math.PI) / 360),
    padX: -frame.left,
    padY: -frame.top,
  };
}

/** Object-frame point → camera frame under `layout` (written to `out`, which is returned). */
export function placePoint(layout: Layout, x: number, y: number, z: number, out: number[] = [0, 0, 0]): number[] {
  const r = layout.rotation,
    s = layout.scale,
    t = layout.translation;
  out[0] = s * (x * r[0] + y * r[3] + z * r[6]) + t[0];
  out[1] = s * (x * r[1] + y * r[4] + z * r[7]) + t[1];
  out[2] = s * (x * r[2] + y * r[5] + z * r[8]) + t[2];
  return out;
}

/** Throws on a layout no writer or projection can use. */
export function checkLayout(layout: Layout): void {
  if (layout.rotation.length !== 9 || layout.translation.length !== 3 || !(layout.scale > 0)) {
    throw new Error(
      `invalid layout: need a 3×3 rotation, a translation of 3 and a positive scale (got scale ${layout.scale})`,
    );
  }
}

/** The mesh placed in the camera frame by its layout (normals rotated when present, colours kept). */
export function poseMesh(mesh: Mesh, layout: Layout): Mesh {
  checkLayout(layout);
  const p = mesh.positions;
  const positions = new Float32Array(p.length);
  const out = [0, 0, 0];
  // Element writes, not positions.set(out, i): a typed-array call per vertex costs ~5× on large meshes.
  for (let i = 0; i < p.length; i += 3) {
    placePoint(layout, p[i], p[i + 1], p[i + 2], out);
    positions[i] = out[0];
    positions[i + 1] = out[1];
    positions[i + 2] = out[2];
  }
  let normals: Float32Array | undefined;
  if (mesh.normals) {
    // Rotation only: the scale is uniform and positive, so directions keep their length.
    const turn: Layout = { ...layout, scale: 1, translation: [0, 0, 0] };
    const n = mesh.normals;
    normals = new Float32Array(n.length);
    for (let i = 0; i < n.length; i += 3) {
      placePoint(turn, n[i], n[i + 1], n[i + 2], out);
      normals[i] = out[0];
      normals[i + 1] = out[1];
      normals[i + 2] = out[2];
    }
  }
  return { positions, colors: mesh.colors, normals, indices: mesh.indices };
}

/** Camera-frame point (with z > 0) → photo pixel coordinates [u, v] (written to `out`, which is returned). */
export function toPixel(cam: PhotoCamera, cx: number, cy: number, cz: number, out: number[] = [0, 0]): number[] {
  out[0] = cam.side / 2 - (cam.focal * cx) / cz - cam.padX;
  out[1] = cam.side / 2 - (cam.focal * cy) / cz - cam.padY;
  return out;
}
