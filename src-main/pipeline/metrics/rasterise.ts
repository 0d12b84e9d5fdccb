/**
 * The one software mesh rasteriser of the app: z-buffer, interpolated vertex colours, Lambert shading on
 * face normals (double-sided), orthographic camera at an azimuth/elevation around the z-up object frame.
 * Pure TypeScript, no GPU, no window. Used by the library thumbnails (fitted to the mesh) and by the
 * rendered-view PSNR/SSIM metric (both meshes framed by the reference, so the camera is the same).
 */
import type { Mesh } from '../types';

type Vec3 = [number, number, number];

export interface ViewAngles {
  /** Camera azimuth around the up (z) axis and elevation above the horizon, degrees. */
  azimuthDeg: number;
  elevationDeg: number;
}

/**
 * Where the orthographic camera looks, in view-plane units: the centre (along the camera's right and up
 * axes) and the extent that maps to 90 % of the image side. Computed by fitFrame; pass the same frame to
 * render two meshes with the same camera.
 */
export interface ScreenFrame {
  cx: number;
  cy: number;
  extent: number;
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const normalize = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** Camera axes of a view: towards the camera, right, up, and the key light direction. */
function viewBasis(view: ViewAngles): { toCam: Vec3; right: Vec3; up: Vec3; light: Vec3 } {
  const az = (view.azimuthDeg * Math.PI) / 180;
  const el = (view.elevationDeg * Math.PI) / 180;
  const toCam: Vec3 = [Math.sin(az) * Math.cos(el), -Math.cos(az) * Math.cos(el), Math.sin(el)];
  const right = normalize(cross([-toCam[0], -toCam[1], -toCam[2]], [0, 0, 1]));
  const up = cross(right, [-toCam[0], -toCam[1], -toCam[2]]);
  // Key light from the upper left of the camera, so the silhouette reads even on flat-coloured meshes.
  const light = normalize([
    toCam[0] - right[0] * 0.5 + up[0] * 0.6,
    toCam[1] - right[1] * 0.5 + up[1] * 0.6,
    toCam[2] - right[2] * 0.5 + up[2] * 0.6,
  ]);
  return { toCam, right, up, light };
}

/** The frame that fits the mesh's projection in this view (the thumbnail framing). */
export function fitFrame(mesh: Mesh, view: ViewAngles): ScreenFrame {
  const { right, up } = viewBasis(view);
  const p = mesh.positions;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let v = 0; v < p.length; v += 3) {
    const q: Vec3 = [p[v], p[v + 1], p[v + 2]];
    const x = dot(q, right), y = dot(q, up);
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (!(maxX >= minX)) return { cx: 0, cy: 0, extent: 1 };
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, extent: Math.max(maxX - minX, maxY - minY) || 1 };
}

/**
 * Raw RGBA pixels (side×side×4, row-major, top row first) of the mesh seen from azimuth/elevation (default:
 * a three-quarter view); the background stays transparent black. Without `frame` the mesh is fitted to
 * the image.
 */
export function rasterizeMesh(mesh: Mesh, side: number, azimuthDeg = 35, elevationDeg = 25, frame?: ScreenFrame): Uint8Array {
  const view: ViewAngles = { azimuthDeg, elevationDeg };
  const { positions, indices } = mesh;
  const colors = mesh.colors && mesh.colors.length === positions.length ? mesh.colors : null;
  const nv = positions.length / 3;
  const rgba = new Uint8Array(side * side * 4);
  if (nv === 0 || indices.length < 3) return rgba;

  const { toCam, right, up, light } = viewBasis(view);
  const f = frame ?? fitFrame(mesh, view);
  const scale = (side * 0.9) / f.extent;
  const sx = new Float32Array(nv);
  const sy = new Float32Array(nv);
  const sz = new Float32Array(nv);
  for (let v = 0; v < nv; v++) {
    const p: Vec3 = [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]];
    sx[v] = side / 2 + (dot(p, right) - f.cx) * scale;
    sy[v] = side / 2 - (dot(p, up) - f.cy) * scale; // image rows grow downwards
    sz[v] = dot(p, toCam); // larger = nearer the camera
  }

  const depth = new Float32Array(side * side).fill(-Infinity);
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    if (a >= nv || b >= nv || c >= nv) continue;
    const ax = sx[a], ay = sy[a], bx = sx[b], by = sy[b], qx = sx[c], qy = sy[c];
    const area = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
    if (Math.abs(area) < 1e-12) continue;

    // Face normal in the object frame; |n·l| lights both sides (meshes are double-sided in export too).
    const e1: Vec3 = [positions[3 * b] - positions[3 * a], positions[3 * b + 1] - positions[3 * a + 1], positions[3 * b + 2] - positions[3 * a + 2]];
    const e2: Vec3 = [positions[3 * c] - positions[3 * a], positions[3 * c + 1] - positions[3 * a + 1], positions[3 * c + 2] - positions[3 * a + 2]];
    const shade = 0.35 + 0.65 * Math.abs(dot(normalize(cross(e1, e2)), light));

    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, qx)));
    const x1 = Math.min(side - 1, Math.ceil(Math.max(ax, bx, qx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, qy)));
    const y1 = Math.min(side - 1, Math.ceil(Math.max(ay, by, qy)));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        // Barycentric weights from signed edge functions; the sign of `area` absorbs the winding.
        const w0 = ((bx - px) * (qy - py) - (by - py) * (qx - px)) / area;
        const w1 = ((qx - px) * (ay - py) - (qy - py) * (ax - px)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * sz[a] + w1 * sz[b] + w2 * sz[c];
        const pix = y * side + x;
        if (z <= depth[pix]) continue;
        depth[pix] = z;
        let r = 0.7, g = 0.7, bl = 0.72;
        if (colors) {
          r = w0 * colors[3 * a] + w1 * colors[3 * b] + w2 * colors[3 * c];
          g = w0 * colors[3 * a + 1] + w1 * colors[3 * b + 1] + w2 * colors[3 * c + 1];
          bl = w0 * colors[3 * a + 2] + w1 * colors[3 * b + 2] + w2 * colors[3 * c + 2];
        }
        const o = pix * 4;
        rgba[o] = Math.max(0, Math.min(255, Math.round(r * shade * 255)));
        rgba[o + 1] = Math.max(0, Math.min(255, Math.round(g * shade * 255)));
        rgba[o + 2] = Math.max(0, Math.min(255, Math.round(bl * shade * 255)));
        rgba[o + 3] = 255;
      }
    }
  }
  return rgba;
}
