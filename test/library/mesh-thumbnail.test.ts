/** The software rasteriser behind result thumbnails: coverage, depth order, colours, shading, speed. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { rasterizeMesh, renderMeshThumbnail } from '../../src-main/library';
import type { Mesh } from '../../src-main/pipeline/types';
import { cubeMesh } from './fixtures';

/** Two parallel squares facing the camera axis at (az 0, el 0) — which looks along +y — red nearer, blue behind. */
function twoSquares(): Mesh {
  const quad = (y: number, half: number) => [-half, y, -half, half, y, -half, half, y, half, -half, y, half];
  const positions = new Float32Array([...quad(-0.2, 0.3), ...quad(0.2, 0.5)]);
  const colors = new Float32Array([...Array(4).fill([1, 0, 0]).flat(), ...Array(4).fill([0, 0, 1]).flat()]);
  const indices = new Uint32Array([0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7]);
  return { positions, colors, indices };
}

describe('mesh thumbnail rasteriser', () => {
  it('keeps the nearer surface in front whatever the triangle order, and shows the farther one around it', () => {
    const side = 100;
    for (const mesh of [twoSquares(), { ...twoSquares(), indices: new Uint32Array([4, 5, 6, 4, 6, 7, 0, 1, 2, 0, 2, 3]) }]) {
      const px = rasterizeMesh(mesh, side, 0, 0);
      const at = (x: number, y: number) => [...px.subarray((y * side + x) * 4, (y * side + x) * 4 + 4)];
      const centre = at(50, 50);
      expect(centre[3]).toBe(255);
      expect(centre[0]).toBeGreaterThan(200); // red square in front (facing the light: bright)
      expect(centre[2]).toBe(0);
      const rim = at(50, 8); // only the larger blue square reaches this far
      expect(rim[2]).toBeGreaterThan(200);
      expect(rim[0]).toBe(0);
      expect(at(1, 1)[3]).toBe(0); // the 5 % margin stays transparent
    }
  });

  it('fits the mesh to the frame and shades faces by their angle to the light', () => {
    const side = 64;
    const px = rasterizeMesh(cubeMesh(), side);
    let covered = 0;
    const shades = new Set<number>();
    for (let i = 0; i < side * side; i++) {
      if (px[i * 4 + 3] === 255) {
        covered++;
        shades.add(Math.round((px[i * 4] + px[i * 4 + 1] + px[i * 4 + 2]) / 30));
      }
    }
    expect(covered / (side * side)).toBeGreaterThan(0.4);
    expect(covered / (side * side)).toBeLessThan(0.9);
    expect(shades.size).toBeGreaterThan(3); // three visible faces, differently lit and coloured
  });

  it('draws nothing for an empty mesh and ignores out-of-range indices', () => {
    const empty = rasterizeMesh({ positions: new Float32Array(0), colors: new Float32Array(0), indices: new Uint32Array(0) }, 16);
    expect(empty.every((v) => v === 0)).toBe(true);
    const broken = { ...cubeMesh(), indices: new Uint32Array([0, 1, 99]) };
    expect(rasterizeMesh(broken, 16).every((v) => v === 0)).toBe(true);
  });

  it('encodes an RGBA PNG of the requested size', async () => {
    const png = await renderMeshThumbnail(cubeMesh(), { size: 40 });
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 40, height: 40, channels: 4 });
  });

  it('covers a dense 200k-triangle sphere as a disc of the fitted size (and reports the time)', () => {
    // A dense sphere; the time is reported, not asserted (wall-clock is never asserted in tests).
    const n = 317; // (n-1)×n×2 ≈ 200k triangles
    const positions: number[] = [];
    const colors: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const th = (Math.PI * i) / (n - 1), ph = (2 * Math.PI * j) / n;
        positions.push(0.4 * Math.sin(th) * Math.cos(ph), 0.4 * Math.sin(th) * Math.sin(ph), 0.4 * Math.cos(th));
        colors.push(0.8, 0.6, 0.3);
      }
    }
    const indices: number[] = [];
    for (let i = 0; i + 1 < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = i * n + j, b = i * n + ((j + 1) % n), c = (i + 1) * n + j, d = (i + 1) * n + ((j + 1) % n);
        indices.push(a, c, b, b, c, d);
      }
    }
    const mesh = { positions: new Float32Array(positions), colors: new Float32Array(colors), indices: new Uint32Array(indices) };
    const t0 = performance.now();
    const px = rasterizeMesh(mesh, 512);
    const ms = performance.now() - t0;
    console.log(`[mesh-thumbnail] ${indices.length / 3} triangles at 512² in ${ms.toFixed(0)} ms`);
    let covered = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] === 255) covered++;
    const disc = Math.PI * (0.45 * 512) ** 2; // a sphere fitted to 90 % of the frame is a disc
    expect(covered / disc).toBeGreaterThan(0.97);
    expect(covered / disc).toBeLessThan(1.03);
  });
});
