/**
 * Automatic quality of an accelerated run against its acceleration-off baseline (src-main/library/quality.ts),
 * through the real library: real SQLite file, GLBs written by the real exporter and read back by its reader.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { glbBytes } from '../../src-main/export';
import { Library } from '../../src-main/library';
import type { Layout, Mesh } from '../../src-main/pipeline/types';
import { cubeMesh, fakeReport, greyMaskPng, photoPng, placement, runInput, scaledCube, tempDir } from './fixtures';

const open: Library[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

async function setup() {
  const lib = Library.open(tempDir(), { appVersion: '0.1.0', thumbnailSize: 32 });
  open.push(lib);
  const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 300) });
  /** Record a finished run whose only artefact is the canonical GLB of `mesh`, with this report placement. */
  const finish = async (method: 'off' | 'fast-sam3d' | 'balanced' | 'max' | 'uniform-merge', mesh: Mesh, extra: Record<string, unknown>, posed = false) => {
    const run = lib.beginRun(runInput(image.id, [mask.id], method));
    const report = fakeReport(method === 'off' ? 2000 : 800, method, undefined, extra);
    await lib.finishRun(run.id, { report, artefacts: [{ kind: 'glb', data: await glbBytes(mesh, posed ? { layout: extra.layout as Layout } : {}) }] });
    return run.id;
  };
  return { lib, finish };
}

/** Baseline: the cube (side 0.8) unaggregated, 3 units in front of the camera. */
const BASE = placement(1, { scale: 1, translation: [0, 0, 3] });

describe('quality against the baseline', () => {
  it('compares shapes at the un-aggregated scale (positions × S), so an S = 2 run equal to its baseline scores 100', async () => {
    const { lib, finish } = await setup();
    const base = await finish('off', cubeMesh(), BASE);
    // Spectral aggregation with S = 2: the decoded mesh is half the size and the layout scale carries the 2.
    const agg = await finish('fast-sam3d', scaledCube(0.5), placement(2, { scale: 2, translation: [0, 0, 3] }));
    const run = lib.getRun(agg);
    expect(run.baselineRunId).toBe(base);
    expect(run.quality).toBe(100);
    expect(run.metrics).toMatchObject({ f1: 100, cd: 0, viou: 1, translationError: 0, scaleError: 0 });
    expect(run.metrics!.iou3d).toBeCloseTo(1, 6);
    expect(run.metrics!.rotationErrorDeg).toBeCloseTo(0, 3);

    // The same half-size mesh from a report without the factor is measured at its raw size: clearly worse.
    const raw = await finish('balanced', scaledCube(0.5), { layout: (BASE as { layout: unknown }).layout });
    expect(lib.getRun(raw).quality).toBeLessThan(50);
    expect(lib.getRun(raw).metrics!.viou).toBeLessThan(0.2);
    expect(lib.getRun(raw).metrics!.iou3d).toBeCloseTo(0.125, 6);

    // S = 2 with a layout scale of 2.5: the object comes out 25 % larger than the baseline's, and only
    // that counts as scale error (not the factor itself).
    const big = lib.getRun(await finish('max', scaledCube(0.5), placement(2, { scale: 2.5, translation: [0, 0, 3] })));
    expect(big.metrics!.scaleError).toBeCloseTo(0.25, 6);
    expect(big.metrics!.iou3d).toBeCloseTo(0.512, 6);
    expect(big.quality).toBe(100);

    // What the pipeline records now: S = 2, the mesh back at the object's size and the layout scale the
    // predicted one (meshAtObjectScale). Equal to the baseline: measured as equal, not as twice its size.
    const now = placement(2, { scale: 1, translation: [0, 0, 3] });
    (now.aggregation as Record<string, unknown>).meshAtObjectScale = true;
    const current = lib.getRun(await finish('uniform-merge', cubeMesh(), now));
    expect(current.metrics).toMatchObject({ f1: 100, cd: 0, viou: 1, translationError: 0, scaleError: 0 });
    expect(current.metrics!.iou3d).toBeCloseTo(1, 6);
  });

  it('measures the layout: exact oriented-box 3D IoU, rotation, translation and scale errors', async () => {
    const { lib, finish } = await setup();
    await finish('off', cubeMesh(), BASE);
    // Shifted by half the box side along x: overlap 1/2 of the volume, IoU = 0.5 / 1.5 = 1/3.
    const shifted = lib.getRun(await finish('fast-sam3d', cubeMesh(), placement(1, { scale: 1, translation: [0.4, 0, 3] })));
    expect(shifted.metrics!.iou3d).toBeCloseTo(1 / 3, 6);
    expect(shifted.metrics!.translationError).toBeCloseTo(0.4 / 3, 6);
    expect(shifted.metrics!.rotationErrorDeg).toBeCloseTo(0, 3);
    // The layout moved, the shape did not: shape metrics stay perfect.
    expect(shifted.metrics).toMatchObject({ f1: 100, cd: 0, scaleError: 0 });

    // Turned 90° about the camera z axis and 25 % larger: the cube's box is nested, IoU = 0.8³ / 1.0³.
    const zTurn = [0, 1, 0, -1, 0, 0, 0, 0, 1];
    const turned = lib.getRun(await finish('max', cubeMesh(), placement(1, { scale: 1.25, translation: [0, 0, 3], rotation: zTurn })));
    expect(turned.metrics!.iou3d).toBeCloseTo(0.512, 6);
    expect(turned.metrics!.rotationErrorDeg).toBeCloseTo(90, 6);
    expect(turned.metrics!.scaleError).toBeCloseTo(0.25, 9);
    expect(turned.metrics!.translationError).toBe(0);
  });

  it('measures the same whichever finishes first, reproducibly (fixed sampler seed)', async () => {
    const moved = cubeMesh();
    for (let i = 0; i < moved.positions.length; i += 3) moved.positions[i] += 0.08;
    const placed = placement(1, { scale: 1, translation: [0.1, 0, 3] });

    const first = await setup();
    await first.finish('off', cubeMesh(), BASE);
    const a = first.lib.getRun(await first.finish('fast-sam3d', moved, placed));
    const b = first.lib.getRun(await first.finish('balanced', moved, placed));

    // Baseline last: the waiting run adopts it and is measured from its own stored GLB and report.
    const later = await setup();
    const c = await later.finish('fast-sam3d', moved, placed);
    expect(later.lib.getRun(c).quality).toBeNull();
    await later.finish('off', cubeMesh(), BASE);

    expect(a.quality).toBeGreaterThan(20);
    expect(a.quality).toBeLessThan(90);
    expect(a.metrics!.iou3d).toBeGreaterThan(0.5);
    expect(a.metrics!.iou3d).toBeLessThan(1);
    expect(b.metrics).toEqual(a.metrics);
    expect(later.lib.getRun(c).metrics).toEqual(a.metrics);
  });

  it('leaves a run whose GLB was written posed (camera frame) unmeasured rather than wrong', async () => {
    const { lib, finish } = await setup();
    await finish('off', cubeMesh(), BASE);
    const posed = lib.getRun(await finish('fast-sam3d', cubeMesh(), BASE, true));
    expect(posed).toMatchObject({ status: 'succeeded', quality: null, metrics: null });
  });
});
