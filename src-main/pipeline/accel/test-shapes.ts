/**
 * Binary test shapes on an R³ grid (index (x·R + y)·R + z, logit 1 inside, 0 outside). These are the
 * constructions that reproduce the reference numbers of acceleration.md: the 64³ solid sphere of
 * N = 33,401 voxels is centre 32, radius 20, |p − c| ≤ r; the shell of N = 9,970 is | |p − c| − 20 | < 1;
 * the box is |p − 32| ≤ 16 per axis (33³ voxels).
 */
export interface Shape {
  logits: Float32Array;
  coords: Int32Array;
  count: number;
}

export function shape(R: number, inside: (x: number, y: number, z: number) => boolean): Shape {
  const logits = new Float32Array(R * R * R);
  const coords: number[] = [];
  for (let x = 0; x < R; x++) for (let y = 0; y < R; y++) for (let z = 0; z < R; z++) {
    if (inside(x, y, z)) {
      logits[(x * R + y) * R + z] = 1;
      coords.push(x, y, z);
    }
  }
  return { logits, coords: Int32Array.from(coords), count: coords.length / 3 };
}

const dist = (x: number, y: number, z: number, c: number) => Math.sqrt((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2);

export const sphereGrid = (R: number, c: number, r: number) => shape(R, (x, y, z) => dist(x, y, z, c) <= r);
export const shellGrid = (R: number, c: number, r: number, halfWidth: number) =>
  shape(R, (x, y, z) => Math.abs(dist(x, y, z, c) - r) < halfWidth);
export const boxGrid = (R: number, c: number, half: number) =>
  shape(R, (x, y, z) => Math.abs(x - c) <= half && Math.abs(y - c) <= half && Math.abs(z - c) <= half);
