/** Analytic meshes for metric tests and sanity checks (closed, outward winding). */
import type { Mesh } from '../types';

/** Axis-aligned box [min, max] as 12 triangles, uniform colour. */
export function boxMesh(min: number[], max: number[], color: number[] = [0.5, 0.5, 0.5]): Mesh {
  const corners: number[] = [];
  for (let i = 0; i < 8; i++) {
    corners.push(i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]);
  }
  // Faces as quads of corner indices (bit 0 = x, bit 1 = y, bit 2 = z), counter-clockwise from outside.
  const quads = [
    [0, 4, 6, 2], [1, 3, 7, 5], // -x, +x
    [0, 1, 5, 4], [2, 6, 7, 3], // -y, +y
    [0, 2, 3, 1], [4, 5, 7, 6], // -z, +z
  ];
  const indices = new Uint32Array(quads.flatMap(([a, b, c, d]) => [a, b, c, a, c, d]));
  const colors = new Float32Array(24);
  for (let i = 0; i < 8; i++) colors.set(color, 3 * i);
  return { positions: new Float32Array(corners), colors, indices };
}

/** UV sphere of radius r centred at c. */
export function sphereMesh(r: number, c: number[] = [0, 0, 0], rings = 48, segments = 96): Mesh {
  const pos: number[] = [];
  const idx: number[] = [];
  pos.push(c[0], c[1], c[2] + r);
  for (let i = 1; i < rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j < segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      pos.push(c[0] + r * Math.sin(th) * Math.cos(ph), c[1] + r * Math.sin(th) * Math.sin(ph), c[2] + r * Math.cos(th));
    }
  }
  pos.push(c[0], c[1], c[2] - r);
  const south = pos.length / 3 - 1;
  const ring = (i: number, j: number) => 1 + (i - 1) * segments + (j % segments);
  for (let j = 0; j < segments; j++) idx.push(0, ring(1, j), ring(1, j + 1));
  for (let i = 1; i < rings - 1; i++) {
    for (let j = 0; j < segments; j++) {
      idx.push(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1), ring(i, j), ring(i + 1, j + 1), ring(i, j + 1));
    }
  }
  for (let j = 0; j < segments; j++) idx.push(south, ring(rings - 1, j + 1), ring(rings - 1, j));
  const colors = new Float32Array(pos.length).fill(0.5);
  return { positions: new Float32Array(pos), colors, indices: new Uint32Array(idx) };
}
