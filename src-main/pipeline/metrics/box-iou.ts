/**
 * Exact IoU of two oriented 3D boxes: box A is clipped by the six half-spaces of box B (convex polyhedron
 * clipping), and the intersection volume is summed over pyramids from an interior point.
 */
export type Vec3 = [number, number, number];

export interface OrientedBox {
  center: Vec3;
  /** Three orthonormal axes (columns of the box's rotation), as vectors. */
  axes: [Vec3, Vec3, Vec3];
  /** Half extents along the axes. */
  half: Vec3;
}

type Polygon = Vec3[];

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

export function boxVolume(b: OrientedBox): number {
  return 8 * b.half[0] * b.half[1] * b.half[2];
}

function boxCorner(b: OrientedBox, sx: number, sy: number, sz: number): Vec3 {
  const out: Vec3 = [...b.center];
  const s = [sx, sy, sz];
  for (let k = 0; k < 3; k++) for (let d = 0; d < 3; d++) out[d] += s[k] * b.half[k] * b.axes[k][d];
  return out;
}

function boxFaces(b: OrientedBox): Polygon[] {
  const c = (x: number, y: number, z: number) => boxCorner(b, x, y, z);
  return [
    [c(-1, -1, -1), c(-1, 1, -1), c(-1, 1, 1), c(-1, -1, 1)],
    [c(1, -1, -1), c(1, -1, 1), c(1, 1, 1), c(1, 1, -1)],
    [c(-1, -1, -1), c(-1, -1, 1), c(1, -1, 1), c(1, -1, -1)],
    [c(-1, 1, -1), c(1, 1, -1), c(1, 1, 1), c(-1, 1, 1)],
    [c(-1, -1, -1), c(1, -1, -1), c(1, 1, -1), c(-1, 1, -1)],
    [c(-1, -1, 1), c(-1, 1, 1), c(1, 1, 1), c(1, -1, 1)],
  ];
}

/** Keep the part of a convex polyhedron (as faces) with n·x ≤ d; the cut face is added. */
function clip(faces: Polygon[], n: Vec3, d: number, eps: number): Polygon[] {
  // A plane that cuts nothing off (the polyhedron lies inside, possibly touching it with a face) must
  // leave the faces as they are: adding a cap there would count a coplanar face twice.
  if (!faces.some((f) => f.some((p) => dot(n, p) - d > eps))) return faces;
  const out: Polygon[] = [];
  const cap: Vec3[] = [];
  for (const face of faces) {
    const poly: Polygon = [];
    for (let i = 0; i < face.length; i++) {
      const a = face[i], b = face[(i + 1) % face.length];
      const da = dot(n, a) - d, db = dot(n, b) - d;
      if (da <= eps) poly.push(a);
      if ((da < -eps && db > eps) || (da > eps && db < -eps)) {
        const t = da / (da - db);
        const p: Vec3 = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])];
        poly.push(p);
        cap.push(p);
      } else if (Math.abs(da) <= eps) {
        cap.push(a);
      }
    }
    if (poly.length >= 3) out.push(poly);
  }
  const unique = cap.filter((p, i) => cap.findIndex((q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= eps) === i);
  cap.length = 0;
  cap.push(...unique);
  if (cap.length >= 3) {
    // Order the cap's points by angle around their centroid in the plane.
    const ctr: Vec3 = [0, 0, 0];
    for (const p of cap) for (let k = 0; k < 3; k++) ctr[k] += p[k] / cap.length;
    const ref = Math.abs(n[0]) < 0.9 ? ([1, 0, 0] as Vec3) : ([0, 1, 0] as Vec3);
    const u = cross(n, ref);
    const v = cross(n, u);
    const sorted = cap
      .map((p) => ({ p, a: Math.atan2(dot(sub(p, ctr), v), dot(sub(p, ctr), u)) }))
      .sort((x, y) => x.a - y.a)
      .map((x) => x.p);
    out.push(sorted);
  }
  return out;
}

function polyhedronVolume(faces: Polygon[]): number {
  const verts = faces.flat();
  if (verts.length === 0) return 0;
  const ctr: Vec3 = [0, 0, 0];
  for (const p of verts) for (let k = 0; k < 3; k++) ctr[k] += p[k] / verts.length;
  let vol = 0;
  for (const f of faces) {
    let area: Vec3 = [0, 0, 0];
    for (let i = 1; i + 1 < f.length; i++) {
      const c = cross(sub(f[i], f[0]), sub(f[i + 1], f[0]));
      area = [area[0] + c[0], area[1] + c[1], area[2] + c[2]];
    }
    const len = Math.hypot(...area);
    if (len < 1e-18) continue;
    const nrm: Vec3 = [area[0] / len, area[1] / len, area[2] / len];
    vol += (0.5 * len * Math.abs(dot(nrm, sub(f[0], ctr)))) / 3;
  }
  return vol;
}

/** Exact intersection volume of two oriented boxes. */
export function boxIntersectionVolume(a: OrientedBox, b: OrientedBox): number {
  const scale = Math.max(...a.half, ...b.half);
  const eps = 1e-12 * Math.max(scale, 1e-9);
  let faces = boxFaces(a);
  for (let k = 0; k < 3 && faces.length > 0; k++) {
    for (const s of [1, -1]) {
      const n: Vec3 = [s * b.axes[k][0], s * b.axes[k][1], s * b.axes[k][2]];
      faces = clip(faces, n, dot(n, b.center) + b.half[k], eps);
      if (faces.length === 0) break;
    }
  }
  return polyhedronVolume(faces);
}

/** 3D IoU of two oriented boxes (1 for identical boxes, 0 for disjoint ones). */
export function orientedBoxIoU(a: OrientedBox, b: OrientedBox): number {
  const inter = boxIntersectionVolume(a, b);
  const union = boxVolume(a) + boxVolume(b) - inter;
  return union > 0 ? inter / union : 0;
}
