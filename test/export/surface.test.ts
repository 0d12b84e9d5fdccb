import { describe, expect, it } from 'vitest';
import { extractSurface, NoSurfaceError, SurfaceInputError } from '../../src-main/pipeline/surface';
import { PATCH_COUNT, PATCH_OF } from '../../src-main/pipeline/surface/cube-tables';
import { KeyIndex } from '../../src-main/pipeline/surface/key-index';
import {
  DMC_LAYOUT,
  NEUTRAL_FLEXI_LAYOUT,
  boxSdf,
  fieldFromSdf,
  shellFieldFromSdf,
  sphereSdf,
} from './analytic-fields';
import { bounds, degenerateFaces, duplicateVertices, signedVolume, topology } from './mesh-checks';

describe('cube tables', () => {
  it('gives one patch to every single-corner case and two to the diagonal (ambiguous-face) cases', () => {
    for (let c = 0; c < 8; c++) expect(PATCH_COUNT[1 << c]).toBe(1);
    // corners 0 and 3 are diagonal on the z = 0 face: the inside corners are cut off separately
    expect(PATCH_COUNT[(1 << 0) | (1 << 3)]).toBe(2);
    // corners 0 and 7 are opposite through the cube: two separate patches
    expect(PATCH_COUNT[(1 << 0) | (1 << 7)]).toBe(2);
    expect(PATCH_COUNT[0]).toBe(0);
    expect(PATCH_COUNT[255]).toBe(0);
    // complementary codes cross the same edges
    for (let code = 0; code < 256; code++) {
      for (let e = 0; e < 12; e++) expect(PATCH_OF[code * 12 + e] >= 0).toBe(PATCH_OF[(255 - code) * 12 + e] >= 0);
    }
  });
});

describe('extractSurface (dual marching cubes path)', () => {
  it('turns a sphere SDF into a closed, outward, genus-0 mesh of the right volume', () => {
    const r = 0.3;
    const field = fieldFromSdf(sphereSdf(r), 32, 2);
    const mesh = extractSurface(field, DMC_LAYOUT);
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.inconsistentEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(2);
    const vol = signedVolume(mesh);
    expect(vol).toBeGreaterThan(0);
    expect(Math.abs(vol / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.03);
    expect(duplicateVertices(mesh.positions)).toBe(0);
    expect(degenerateFaces(mesh)).toBe(0);
    // every vertex lies near the sphere (within one voxel)
    for (let i = 0; i < mesh.positions.length; i += 3) {
      expect(Math.abs(Math.hypot(mesh.positions[i], mesh.positions[i + 1], mesh.positions[i + 2]) - r)).toBeLessThan(
        1 / 32,
      );
    }
    // normals point outward (same direction as the position on a centred sphere)
    let outward = 0;
    for (let i = 0; i < mesh.positions.length; i += 3) {
      const d =
        mesh.normals![i] * mesh.positions[i] +
        mesh.normals![i + 1] * mesh.positions[i + 1] +
        mesh.normals![i + 2] * mesh.positions[i + 2];
      if (d > 0) outward++;
    }
    expect(outward).toBe(mesh.positions.length / 3);
  });

  it('colours vertices from the interpolated corner colours with the activation applied', () => {
    const mesh = extractSurface(fieldFromSdf(sphereSdf(0.3), 24, 2), DMC_LAYOUT);
    for (let i = 0; i < mesh.positions.length; i += 3) {
      for (let a = 0; a < 3; a++) {
        // the analytic colour is sigmoid(4·coord); interpolation stays within a voxel of it
        const expected = 1 / (1 + Math.exp(-4 * mesh.positions[i + a]));
        expect(Math.abs(mesh.colors[i + a] - expected)).toBeLessThan(0.05);
      }
    }
  });

  it('recovers a box with its extents and volume', () => {
    const h = [0.2, 0.15, 0.1];
    const mesh = extractSurface(fieldFromSdf(boxSdf(h), 40, 2), DMC_LAYOUT);
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(2);
    const b = bounds(mesh.positions);
    for (let a = 0; a < 3; a++) {
      expect(Math.abs(b.max[a] - h[a])).toBeLessThan(1 / 40);
      expect(Math.abs(b.min[a] + h[a])).toBeLessThan(1 / 40);
    }
    expect(Math.abs(signedVolume(mesh) / (8 * h[0] * h[1] * h[2]) - 1)).toBeLessThan(0.05);
  });

  it('closes a surface that runs out of the grid instead of leaving a hole', () => {
    // a sphere that pokes out of the [-0.5, 0.5]³ box
    const mesh = extractSurface(fieldFromSdf(sphereSdf(0.3, [0.35, 0, 0]), 24, 2), DMC_LAYOUT);
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(2);
  });

  it('handles two separate objects as two closed components', () => {
    const a = sphereSdf(0.15, [-0.22, 0, 0]),
      b = sphereSdf(0.15, [0.22, 0, 0]);
    const mesh = extractSurface(
      fieldFromSdf((x, y, z) => Math.min(a(x, y, z), b(x, y, z)), 32, 2),
      DMC_LAYOUT,
    );
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(4);
  });

  it('stays manifold and consistently wound on white noise (ambiguous faces resolved without pinches)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    for (const R of [8, 16]) {
      const field = fieldFromSdf(() => 0, R, 1e9);
      for (let n = 0; n < field.coords.length / 3; n++) for (let c = 0; c < 8; c++) field.feats[n * 32 + c] = rnd();
      const mesh = extractSurface(field, DMC_LAYOUT);
      const topo = topology(mesh);
      expect(topo.faces).toBeGreaterThan(1000);
      expect(topo.nonManifoldEdges).toBe(0);
      expect(topo.inconsistentEdges).toBe(0);
      expect(degenerateFaces(mesh)).toBe(0);
      expect(duplicateVertices(mesh.positions)).toBe(0);
    }
  });

  it('gives one closed surface for a solid object whose voxels are only a shell (no inner wall)', () => {
    const r = 0.35;
    const field = shellFieldFromSdf(sphereSdf(r), 16); // 16³ structure → 64³ fine voxels, interior uncovered
    const mesh = extractSurface(field, DMC_LAYOUT);
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(2); // an inner wall would make it 4
    expect(Math.abs(signedVolume(mesh) / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.03);
  });

  it('keeps the inner surface of a real cavity (the enclosed region votes outside)', () => {
    const outer = sphereSdf(0.4),
      inner = sphereSdf(0.2);
    const hollow: Parameters<typeof shellFieldFromSdf>[0] = (x, y, z) => Math.max(outer(x, y, z), -inner(x, y, z));
    const mesh = extractSurface(shellFieldFromSdf(hollow, 16), DMC_LAYOUT);
    const topo = topology(mesh);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(4);
    expect(Math.abs(signedVolume(mesh) / ((4 / 3) * Math.PI * (0.4 ** 3 - 0.2 ** 3)) - 1)).toBeLessThan(0.05);
  });

  it('also handles shells that are not made of whole 4³ blocks', () => {
    const r = 0.3;
    const band = fieldFromSdf(sphereSdf(r), 32, 2); // voxels with centre SDF < 2 voxels, then keep the shell only
    const keep: number[] = [];
    for (let n = 0; n < band.coords.length / 3; n++) if (band.feats[n * 32] > -3 / 32) keep.push(n);
    const coords = new Int32Array(keep.length * 3),
      feats = new Float32Array(keep.length * 32);
    keep.forEach((n, m) => {
      coords.set(band.coords.subarray(3 * n, 3 * n + 3), 3 * m);
      feats.set(band.feats.subarray(32 * n, 32 * n + 32), 32 * m);
    });
    expect(keep.length).toBeLessThan(band.coords.length / 3); // the interior really is uncovered
    const mesh = extractSurface({ ...band, coords, feats }, DMC_LAYOUT);
    expect(topology(mesh).eulerCharacteristic).toBe(2);
    expect(Math.abs(signedVolume(mesh) / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.03);
  });

  it('throws NoSurfaceError for an empty field and for no voxels', () => {
    const field = fieldFromSdf(sphereSdf(0.3), 16, 2);
    const outside = field.feats.map((v, i) => (i % field.channels < 8 ? Math.abs(v) + 0.1 : v));
    expect(() => extractSurface({ ...field, feats: outside }, DMC_LAYOUT)).toThrow(NoSurfaceError);
    expect(() =>
      extractSurface(
        { coords: new Int32Array(0), feats: new Float32Array(0), channels: 32, resolution: 16 },
        DMC_LAYOUT,
      ),
    ).toThrow(/no surface found/i);
  });

  it('names the mismatch on bad input', () => {
    const field = fieldFromSdf(sphereSdf(0.3), 16, 2);
    expect(() => extractSurface({ ...field, feats: field.feats.subarray(1) }, DMC_LAYOUT)).toThrow(SurfaceInputError);
    expect(() => extractSurface({ ...field, resolution: 8 }, DMC_LAYOUT)).toThrow(/outside the 8³ grid/);
    expect(() => extractSurface(field, { ...DMC_LAYOUT, layout: { ...DMC_LAYOUT.layout, sdf: [0, 6] } })).toThrow(
      /width 6/,
    );
  });
});

describe('extractSurface (FlexiCubes path)', () => {
  it('equals dual marching cubes when deformation and weights are neutral', () => {
    const withFlexi = fieldFromSdf(sphereSdf(0.3), 24, 2, true);
    const plain = fieldFromSdf(sphereSdf(0.3), 24, 2);
    const a = extractSurface(withFlexi, NEUTRAL_FLEXI_LAYOUT);
    const b = extractSurface(plain, DMC_LAYOUT);
    expect(a.indices).toEqual(b.indices);
    expect(a.positions).toEqual(b.positions);
    expect(a.colors).toEqual(b.colors);
  });

  it('moves vertices by at most half a voxel under deformation and stays closed', () => {
    const R = 24;
    const field = fieldFromSdf(sphereSdf(0.3), R, 2, true);
    const plain = extractSurface(field, NEUTRAL_FLEXI_LAYOUT);
    const feats = field.feats.slice();
    for (let n = 0; n < feats.length / 77; n++)
      for (let q = 32; q < 56; q++) feats[n * 77 + q] = Math.sin(n * 7 + q) * 3;
    const moved = extractSurface({ ...field, feats }, NEUTRAL_FLEXI_LAYOUT);
    expect(moved.indices.length).toBe(plain.indices.length);
    let maxShift = 0,
      changed = 0;
    for (let i = 0; i < plain.positions.length; i++) {
      const d = Math.abs(moved.positions[i] - plain.positions[i]);
      maxShift = Math.max(maxShift, d);
      if (d > 1e-6) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(maxShift).toBeLessThanOrEqual(0.5 / R + 1e-6);
    expect(topology(moved).nonManifoldEdges).toBe(0);
  });

  it('uses α to pull crossings and β to weight them, keeping the mesh closed', () => {
    const field = fieldFromSdf(sphereSdf(0.3), 24, 2, true);
    const feats = field.feats.slice();
    for (let n = 0; n < feats.length / 77; n++)
      for (let q = 56; q < 77; q++) feats[n * 77 + q] = Math.cos(n * 3 + q) * 2;
    const weighted = extractSurface({ ...field, feats }, NEUTRAL_FLEXI_LAYOUT);
    const plain = extractSurface(field, NEUTRAL_FLEXI_LAYOUT);
    const topo = topology(weighted);
    expect(topo.nonManifoldEdges).toBe(0);
    expect(topo.eulerCharacteristic).toBe(2);
    expect(weighted.positions).not.toEqual(plain.positions);
    expect(Math.abs(signedVolume(weighted) / signedVolume(plain) - 1)).toBeLessThan(0.05);
  });
});

describe('KeyIndex', () => {
  it('gives the same ids in hash mode as in dense mode, and the same surface', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => (i * 7919 * 104729) % 9_000_000);
    const dense = new KeyIndex(9_000_000, 16);
    const saved = KeyIndex.denseLimit;
    try {
      KeyIndex.denseLimit = 0;
      const hashed = new KeyIndex(9_000_000, 16); // starts small: exercises growth
      for (const k of keys) expect(hashed.insert(k)).toBe(dense.insert(k));
      for (const k of keys) expect(hashed.get(k)).toBe(dense.get(k));
      expect(hashed.get(9_000_001)).toBe(-1);
      expect(hashed.size).toBe(dense.size);
      const field = fieldFromSdf(sphereSdf(0.3), 16, 2);
      const viaHash = extractSurface(field, DMC_LAYOUT);
      KeyIndex.denseLimit = saved;
      const viaLut = extractSurface(field, DMC_LAYOUT);
      expect(viaHash.indices).toEqual(viaLut.indices);
      expect(viaHash.positions).toEqual(viaLut.positions);
    } finally {
      KeyIndex.denseLimit = saved;
    }
  });
});
