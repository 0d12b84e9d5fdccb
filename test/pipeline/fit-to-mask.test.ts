/**
 * Fit to mask (sampler setting fitToMask): the distance field, the carving geometry on hand-made
 * layouts, and end to end on the trained mini pack, where every vertex of a fitted mesh must project
 * onto the mask (within a voxel's footprint) and the unfitted one does not.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFile, loadMaskFile, openPack, runObject, runScene } from '../../src-main/pipeline';
import type { BinaryMask, DecodedImage, Pack } from '../../src-main/pipeline';
import { fitToMask, maskField, squaredDistanceToInside } from '../../src-main/pipeline/stages/fit-to-mask';
import type { Layout, Mesh } from '../../src-main/pipeline/types';
import { AccelOverridesSchema, DEFAULT_PARAMS } from '../../src-shared/params';
import { RunReportSchema } from '../../src-shared/report';
import { syntheticInput, withTinyPack } from './helpers/tiny-pack';

const ROOT = resolve(__dirname, '../..');
const MINI = join(ROOT, 'models/mini');

function mask(width: number, height: number, inside: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 1 : 0;
  return { width, height, data, warnings: [] };
}

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const layoutAt = (depth: number, scale = 1): Layout => ({
  rotation: IDENTITY,
  quaternion: [1, 0, 0, 0],
  translation: [0, 0, depth],
  scale,
});

/** Pixel (u, v) of an object-frame point: docs/model-pack.md, "Frames" (square photo of side w). */
function project(p: number[], layout: Layout, fovDeg: number, w: number, h: number): [number, number, number] {
  const r = layout.rotation,
    s = layout.scale,
    t = layout.translation;
  const c = [0, 1, 2].map((j) => s * (p[0] * r[j] + p[1] * r[3 + j] + p[2] * r[6 + j]) + t[j]);
  const side = Math.max(w, h);
  const f = side / 2 / Math.tan((fovDeg * Math.PI) / 360);
  // The photo sits in the padded square as preprocess.fullFrameWindow puts it.
  return [side / 2 - (f * c[0]) / c[2] - Math.floor((side - w) / 2), side / 2 - (f * c[1]) / c[2] - Math.floor((side - h) / 2), c[2]];
}

describe('squaredDistanceToInside', () => {
  it('is the exact squared Euclidean distance to the nearest inside cell', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const [cols, rows, density] of [[17, 11, 0.05], [9, 23, 0.3], [1, 7, 0.4], [12, 12, 0.01]] as const) {
      const inside = Uint8Array.from({ length: cols * rows }, () => (rand() < density ? 1 : 0));
      inside[Math.floor(rand() * cols * rows)] = 1;
      const got = squaredDistanceToInside(inside, cols, rows);
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++) {
          let best = Infinity;
          for (let q = 0; q < cols * rows; q++)
            if (inside[q]) best = Math.min(best, (x - (q % cols)) ** 2 + (y - Math.floor(q / cols)) ** 2);
          expect(got[y * cols + x]).toBe(best);
        }
    }
  });
});

describe('maskField', () => {
  it('is the union of the masks, pooled so that a cell with any mask pixel is on the mask', () => {
    const a = mask(1100, 600, (x, y) => x === 5 && y === 7);
    const b = mask(1100, 600, (x, y) => x === 1099 && y === 599);
    const field = maskField([a, b]);
    expect(field.cell).toBe(3); // 1100 px on at most 512 cells
    expect([field.cols, field.rows]).toEqual([367, 200]);
    expect(field.distSq[2 * field.cols + 1]).toBe(0); // pixel (5, 7) → cell (1, 2)
    expect(field.distSq[199 * field.cols + 366]).toBe(0); // the other mask's pixel
    expect(field.distSq[100 * field.cols + 1]).toBe(98 * 98);
    expect(maskField([mask(40, 30, () => true)]).cell).toBe(1);
  });

  it('refuses masks of another size than the photo', () => {
    expect(() => maskField([mask(10, 10, () => true), mask(10, 11, () => true)])).toThrow(/size/);
  });
});

describe('fitToMask on hand-made layouts', () => {
  const R = 16,
    W = 200,
    FOV = 40;
  const full = new Float32Array(R * R * R).fill(5);
  const centre = (i: number) => (i + 0.5) / R - 0.5;

  it('removes the voxels whose footprint lies beyond the mask and keeps the rest', () => {
    // Camera x points left: the photo's left 60 % is the object's x > −0.1 side at depth 3.
    const photo = mask(W, W, (x) => x < 0.6 * W);
    const layout = layoutAt(3);
    const fit = fitToMask(full, R, 0, layout, FOV, maskField([photo]));
    expect(fit.skipped).toBe(false);
    expect(fit.occupied).toBe(R ** 3);
    let removed = 0;
    for (let i = 0; i < R; i++)
      for (let j = 0; j < R; j++)
        for (let k = 0; k < R; k++) {
          const [u, , z] = project([centre(i), centre(j), centre(k)], layout, FOV, W, W);
          const footprintPx = ((W / 2 / Math.tan((FOV * Math.PI) / 360)) * (Math.sqrt(3) / 2 / R)) / z;
          const off = fit.logits[(i * R + j) * R + k] < 0;
          if (off) removed++;
          // Well inside the mask: kept; well beyond it by more than the footprint: removed.
          if (u < 0.6 * W - 1) expect(off).toBe(false);
          if (u > 0.6 * W + footprintPx + 1) expect(off).toBe(true);
        }
    expect(removed).toBe(fit.removed);
    expect(fit.removed).toBeGreaterThan(0);
    expect(full.every((v) => v === 5)).toBe(true); // the input is not modified
  });

  it('keeps what the photo does not show: outside the frame, and the unoccupied voxels stay as they were', () => {
    // Large and near: most of the object projects outside a small photo, whose mask is all of it.
    const photo = mask(W, W, () => true);
    const fit = fitToMask(full, R, 0, layoutAt(0.6, 2), FOV, maskField([photo]));
    expect(fit).toMatchObject({ removed: 0, skipped: false });
    expect(fit.logits).toBe(full);
    const sparse = new Float32Array(R ** 3).fill(-3);
    sparse[(8 * R + 8) * R + 8] = 2;
    expect(fitToMask(sparse, R, 0, layoutAt(3), FOV, maskField([mask(W, W, (x) => x < 10)]))).toMatchObject({ occupied: 1 });
  });

  it('leaves the shape whole when over half of it lies outside the mask (the pose disagrees, not the shape)', () => {
    const photo = mask(W, W, (x) => x < 0.3 * W);
    const fit = fitToMask(full, R, 0, layoutAt(3), FOV, maskField([photo]));
    expect(fit.skipped).toBe(true);
    expect(fit.removed).toBe(0);
    expect(fit.logits).toBe(full);
  });

  it('never removes a voxel any point of which shows on the mask or beyond the frame (turned, off-centre, non-square)', () => {
    const turn = (a: number, b: number): number[] => {
      // Rotation about z by a, then about x by b (row-major, applied as p·R).
      const [ca, sa, cb, sb] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b)];
      const rz = [ca, sa, 0, -sa, ca, 0, 0, 0, 1];
      const rx = [1, 0, 0, 0, cb, sb, 0, -sb, cb];
      return [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => rz[3 * i] * rx[j] + rz[3 * i + 1] * rx[3 + j] + rz[3 * i + 2] * rx[6 + j]));
    };
    const cases = [
      { w: 180, h: 320, layout: { ...layoutAt(2.2, 1.1), rotation: turn(0.7, -0.4), translation: [0.35, -0.2, 2.2] as [number, number, number] } },
      { w: 301, h: 160, layout: { ...layoutAt(1.6, 0.9), rotation: turn(-1.9, 0.9), translation: [-0.3, 0.15, 1.6] as [number, number, number] } },
      { w: 97, h: 97, layout: { ...layoutAt(3, 1), rotation: turn(2.5, 0.3) } },
    ];
    let checked = 0;
    for (const { w, h, layout } of cases) {
      // A disc and a bar as the masks, so the shape straddles their outlines.
      const photo = mask(w, h, (x, y) => (x - 0.5 * w) ** 2 + (y - 0.45 * h) ** 2 < (0.2 * Math.min(w, h)) ** 2 || (y > 0.7 * h && y < 0.75 * h));
      const fit = fitToMask(full, R, 0, layout, FOV, maskField([photo]));
      expect(fit.skipped).toBe(false);
      for (let idx = 0; idx < R ** 3; idx++) {
        if (!(fit.logits[idx] < 0)) continue;
        checked++;
        const [i, j, k] = [Math.floor(idx / R / R), Math.floor(idx / R) % R, idx % R];
        for (let a = 0; a <= 4; a++)
          for (let b = 0; b <= 4; b++)
            for (let c = 0; c <= 4; c++) {
              const p = [(i + a / 4) / R - 0.5, (j + b / 4) / R - 0.5, (k + c / 4) / R - 0.5];
              const [u, v] = project(p, layout, FOV, w, h);
              const x = Math.floor(u),
                y = Math.floor(v);
              expect(x >= 0 && y >= 0 && x < w && y < h, `voxel ${idx} reaches beyond the frame`).toBe(true);
              expect(photo.data[y * w + x], `voxel ${idx} shows on the mask at (${x}, ${y})`).toBe(0);
            }
      }
    }
    expect(checked).toBeGreaterThan(100); // the cases do remove voxels
  });

  it('keeps what another masked object may hide (the union of the masks)', () => {
    const own = mask(W, W, (x) => x < 0.6 * W);
    const other = mask(W, W, (x) => x >= 0.6 * W);
    expect(fitToMask(full, R, 0, layoutAt(3), FOV, maskField([own, other])).removed).toBe(0);
  });
});

describe('fitToMask in the pipeline (test pack)', () => {
  let pack: Pack;
  withTinyPack((p) => (pack = p));

  it('is a sampler setting, off by default (SAM 3D), reported when on', async () => {
    expect(DEFAULT_PARAMS.fitToMask).toBe(false);
    expect(AccelOverridesSchema.safeParse({ fitToMask: 1 }).success).toBe(false);
    const input = syntheticInput();
    const plain = await runObject(pack, input, { method: 'off', params: { seed: 5 } });
    expect(plain.report.maskFit).toBeUndefined();
    const fitted = await runObject(pack, input, { method: 'off', params: { seed: 5, fitToMask: true } });
    expect(RunReportSchema.parse(fitted.report).maskFit).toBeDefined();
    expect(fitted.report.params.fitToMask).toBe(true);
    const mf = fitted.report.maskFit!;
    expect(mf.occupied).toBeGreaterThan(0);
    if (mf.skipped) expect(fitted.report.warnings.join(' ')).toMatch(/Fit to mask left the shape whole/);
    expect(fitted.report.aggregation.voxelsBefore).toBeLessThanOrEqual(plain.report.aggregation.voxelsBefore);
  });

  it('counts the other masks it can use; an empty one adds nothing, one of another shape is left out with a warning', async () => {
    const input = syntheticInput();
    const { width: w, height: h } = input.mask;
    const front = mask(w, h, (x, y) => x < 10 && y < 10);
    const empty = mask(w, h, () => false);
    const tall = mask(h, w, (x) => x < 5); // the photo turned: another aspect ratio
    const r = await runObject(pack, input, {
      method: 'off',
      params: { seed: 5, fitToMask: true },
      otherMasks: [{ mask: front, name: 'cup' }, { mask: empty, name: 'nothing' }, { mask: tall, name: 'turned' }],
    });
    expect(r.report.maskFit!.otherMasks).toBe(1);
    const w1 = r.report.warnings.filter((x) => x.startsWith('Fit to mask did not count'));
    expect(w1).toEqual([expect.stringMatching(/the mask "turned" is 64×96 but the image is 96×64/)]);
    // Without fit to mask they are not even read.
    const off = await runObject(pack, input, { method: 'off', params: { seed: 5 }, otherMasks: [{ mask: tall, name: 'turned' }] });
    expect(off.report.maskFit).toBeUndefined();
    expect(off.report.warnings.join(' ')).not.toMatch(/Fit to mask/);
  });
});

/** Largest distance in pixels, beyond the allowance `allowPx(z)`, from a posed vertex to the mask. */
function worstOutside(mesh: Mesh, layout: Layout, fovDeg: number, photo: BinaryMask, allowPx: (z: number) => number): number {
  const d = squaredDistanceToInside(photo.data, photo.width, photo.height);
  let worst = -Infinity;
  for (let q = 0; q < mesh.positions.length / 3; q++) {
    const p = [mesh.positions[3 * q], mesh.positions[3 * q + 1], mesh.positions[3 * q + 2]];
    const [u, v, z] = project(p, layout, fovDeg, photo.width, photo.height);
    const x = Math.floor(u),
      y = Math.floor(v);
    if (x < 0 || y < 0 || x >= photo.width || y >= photo.height) continue;
    worst = Math.max(worst, Math.sqrt(d[y * photo.width + x]) - allowPx(z));
  }
  return worst;
}

describe.skipIf(!existsSync(join(MINI, 'manifest.json')))('fitToMask on the mini pack (a held-out lamp)', () => {
  let pack: Pack;
  let input: { image: DecodedImage; mask: BinaryMask };
  beforeAll(async () => {
    pack = await openPack(MINI);
    const dir = join(ROOT, 'resources/benchmark/10-lamp');
    input = { image: await loadImageFile(join(dir, 'image.png')), mask: await loadMaskFile(join(dir, '0.png')) };
  });
  afterAll(async () => {
    await pack?.close();
  });

  it('every vertex of the fitted mesh projects onto the mask within two voxel footprints; unfitted ones do not', async () => {
    const m = pack.manifest;
    const fov = m.camera.fovDeg;
    const plain = await runObject(pack, input, { method: 'off' });
    const fitted = await runObject(pack, input, { method: 'off', params: { fitToMask: true } });
    expect(fitted.layout).toEqual(plain.layout); // fitting changes the shape, not the pose
    expect(fitted.report.maskFit!.removed).toBeGreaterThan(0);
    expect(fitted.report.maskFit!.skipped).toBe(false);
    // A vertex lies in a kept voxel, whose centre lies within one footprint of the mask; + 3 px for the two
    // pixel roundings (the centre's and the vertex's, √2 each). Unfitted, the lamp's shade reaches ~20 px out.
    const side = Math.max(input.mask.width, input.mask.height);
    const f = side / 2 / Math.tan((fov * Math.PI) / 360);
    const footprint = (z: number) => (f * fitted.layout.scale * Math.sqrt(3)) / 2 / m.grid.resolution / z;
    expect(worstOutside(fitted.mesh, fitted.layout, fov, input.mask, (z) => 2 * footprint(z) + 3)).toBeLessThanOrEqual(0);
    expect(worstOutside(plain.mesh, plain.layout, fov, input.mask, (z) => 2 * footprint(z) + 3)).toBeGreaterThan(5);
    expect(fitted.report.aggregation.voxelsBefore).toBeLessThan(plain.report.aggregation.voxelsBefore);
  });

  it('in a scene, what another masked object may hide is kept (one field of every mask)', async () => {
    const { width, height, data } = input.mask;
    const rest = mask(width, height, (x, y) => !data[y * width + x]);
    const params = { fitToMask: true };
    const scene = await runScene(pack, { image: input.image, masks: [{ mask: input.mask }, { mask: rest }] }, { method: 'off', params });
    const alone = await runObject(pack, input, { method: 'off', params });
    expect(alone.report.maskFit!.removed).toBeGreaterThan(0);
    expect(scene.objects[0].report.maskFit).toMatchObject({ removed: 0, skipped: false });
    // The same mask drawn but left out of the run (the thing in front): it protects the same voxels.
    const withOther = await runObject(pack, input, { method: 'off', params, otherMasks: [{ mask: rest, name: 'rest' }] });
    expect(withOther.report.maskFit).toEqual({ occupied: alone.report.maskFit!.occupied, removed: 0, skipped: false, otherMasks: 1 });
  });
});
