/**
 * Posed scene view math (docs/model-pack.md, "Frames"): a GLB holds the object in glTF axes
 * (x, y, z)_gltf = (x, z, −y)_object; the layout places the object in the PyTorch3D camera frame,
 * p_cam = s·Rᵀ·p_obj + t; the viewer's scene is glTF-like with the camera at the origin looking down −Z,
 * i.e. diag(−1, 1, −1)·p_cam. Composed into one column-major 4×4 matrix for three.
 */
export interface LayoutLike {
  rotation: number[]; // row-major 3×3
  translation: [number, number, number] | number[];
  scale: number;
}

type M3 = [number, number, number, number, number, number, number, number, number];

function mul3(a: M3, b: M3): M3 {
  const o = new Array(9).fill(0) as M3;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return o;
}

/** Column-major 4×4 (three's Matrix4.fromArray order) taking glTF object coordinates to the scene. */
export function posedMatrix(layout: LayoutLike): number[] {
  const R = layout.rotation;
  if (R.length !== 9) throw new Error(`Layout rotation must have 9 numbers, got ${R.length}.`);
  const s = layout.scale;
  const Rt: M3 = [R[0], R[3], R[6], R[1], R[4], R[7], R[2], R[5], R[8]];
  const gltfToObj: M3 = [1, 0, 0, 0, 0, -1, 0, 1, 0]; // (x', y', z') → (x', −z', y')
  const D: M3 = [-1, 0, 0, 0, 1, 0, 0, 0, -1];
  const lin = mul3(D, mul3(Rt, gltfToObj)).map((v) => v * s) as M3;
  const [tx, ty, tz] = layout.translation;
  const t = [-tx, ty, -tz];
  return [lin[0], lin[3], lin[6], 0, lin[1], lin[4], lin[7], 0, lin[2], lin[5], lin[8], 0, t[0], t[1], t[2], 1];
}

/** Apply a column-major 4×4 to a point. */
export function transformPoint(m: number[], p: [number, number, number]): [number, number, number] {
  return [
    m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12],
    m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13],
    m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14],
  ];
}

/**
 * The photo plane and frustum: the padded square frame at depth d spans ±d·tan(fov/2); the photo
 * keeps its aspect inside it (padding is centred).
 */
export function photoPlane(fovDeg: number, depth: number, width: number, height: number) {
  const half = depth * Math.tan((fovDeg * Math.PI) / 360);
  const side = Math.max(width, height);
  return { half, planeWidth: (2 * half * width) / side, planeHeight: (2 * half * height) / side, z: -depth };
}

/** Field of view of the photo's camera when neither the run nor the pack says (docs/model-pack.md example value). */
export const DEFAULT_FOV_DEG = 40;

/**
 * The posed view's field of view: the first usable value of, in order, the run's report
 * (`report.camera.fovDeg`: the camera it ran with), its pack's manifest (`PackInfo.cameraFovDeg`), the
 * selected pack's; else DEFAULT_FOV_DEG. Usable: a number strictly between 0 and 180 degrees.
 */
export function posedFovDeg(...candidates: (number | null | undefined)[]): number {
  for (const c of candidates) if (typeof c === 'number' && Number.isFinite(c) && c > 0 && c < 180) return c;
  return DEFAULT_FOV_DEG;
}
