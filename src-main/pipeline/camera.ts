/**
 * The photo's pinhole camera (docs/model-pack.md, "Frames"): the photo sits centred in a padded square
 * (as the condition's full frame puts it, preprocess.fullFrameWindow) whose side spans the pack's field of
 * view. An object-frame point is placed by the layout, p_cam = (s·p)·R + t (row vectors, PyTorch3D camera:
 * x left, y up, z forward), and lands on pixel (u, v) of the photo, where pixel (i, j) covers [i, i+1) ×
 * [j, j+1). One home for the stages that compare the predicted object with the photo (fit to mask, colour
 * from photo).
 */
import type { Layout } from './types';

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
  const side = Math.max(width, height);
  return {
    width,
    height,
    side,
    focal: side / 2 / Math.tan((fovDeg * Math.PI) / 360),
    padX: Math.floor((side - width) / 2),
    padY: Math.floor((side - height) / 2),
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

/** Camera-frame point (with z > 0) → photo pixel coordinates [u, v]. */
export function toPixel(cam: PhotoCamera, cx: number, cy: number, cz: number): [number, number] {
  return [cam.side / 2 - (cam.focal * cx) / cz - cam.padX, cam.side / 2 - (cam.focal * cy) / cz - cam.padY];
}
