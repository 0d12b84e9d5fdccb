/**
 * export.run through the real dispatcher on a real library (SQLite file + asset store): a finished run's
 * stored GLB is re-exported as GLB/OBJ/PLY, posed with the report's layout, simplified; bad requests
 * and unfinished runs get clear API errors.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIO } from '@gltf-transform/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src-main/api/index';
import { exportHandlers } from '../../src-main/api/exports';
import { cameraToGltf, glbBytes, poseMesh, readGlb, sceneGlbBytes } from '../../src-main/export';
import { Library } from '../../src-main/library';
import { fakeReport, greyMaskPng, photoPng, runInput } from '../library/fixtures';
import type { Layout } from '../../src-main/pipeline/types';
import { layout, sphere, validate, box, worldPositionsOf } from './fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-export-api-'));
const libs: Library[] = [];
afterAll(() => {
  libs.forEach((l) => l.close());
  rmSync(root, { recursive: true, force: true });
});

async function setup() {
  const lib = Library.open(path.join(root, `lib${libs.length}`), { thumbnailSize: 32 });
  libs.push(lib);
  const project = lib.createProject('exports');
  const { image } = await lib.importImage({ projectId: project.id, name: 'photo.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'cup', png: await greyMaskPng(64, 48, 600) });
  const d = new Dispatcher().register(exportHandlers(lib));
  const call = async (req: unknown) => {
    const r = await d.dispatch('export.run', req);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { api: r.error });
    return r.result as {
      dir: string;
      files: { path: string; format: string; bytes: number; role: string; object?: string; replaced?: boolean }[];
    };
  };
  return { lib, image, mask, call };
}

describe('export.run', () => {
  it('re-exports a finished run in every format, posed and simplified, into the given folder', async () => {
    const { lib, image, mask, call } = await setup();
    const L = layout();
    const mesh = sphere();
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    await lib.finishRun(run.id, {
      report: { ...fakeReport(500), name: 'cup', layout: L },
      artefacts: [{ kind: 'glb', data: await glbBytes(mesh, { name: 'cup' }) }],
    });

    const dir = path.join(root, 'out1');
    const res = await call({ runId: run.id, formats: ['glb', 'obj', 'ply'], posed: true, targetTriangles: 400, dir });
    expect(res.dir).toBe(dir);
    expect(res.files.map((f) => [path.basename(f.path), f.format, f.role])).toEqual([
      // <project>-<object>-<variant>: whose it is, and that it is the posed 400-triangle one.
      ['exports-cup-fast-sam3d-posed-400tri.glb', 'glb', 'object'],
      ['exports-cup-fast-sam3d-posed-400tri.obj', 'obj', 'object'],
      ['exports-cup-fast-sam3d-posed-400tri.mtl', 'obj', 'material'],
      ['exports-cup-fast-sam3d-posed-400tri.ply', 'ply', 'object'],
    ]);
    for (const f of res.files) expect(readFileSync(f.path).length).toBe(f.bytes);
    const glb = new Uint8Array(readFileSync(path.join(dir, 'exports-cup-fast-sam3d-posed-400tri.glb')));
    expect((await validate(glb)).errors).toBe(0);
    const back = await readGlb(glb);
    expect(back.mesh.indices.length / 3).toBeLessThanOrEqual(400);
    // posed: the stored canonical mesh went through the report's layout (compare bounding-box centres)
    const expected = centreOf(cameraToGltf(poseMesh(mesh, L).positions));
    const got = await glbCentre(path.join(dir, 'exports-cup-fast-sam3d-posed-400tri.glb'));
    for (let a = 0; a < 3; a++) expect(got[a]).toBeCloseTo(expected[a], 2);
  });

  it('exports a run recorded before meshes came back at the object\'s size (1/S mesh, S in the layout) at that size', async () => {
    const { lib, image, mask, call } = await setup();
    const L = layout();
    const half = { ...sphere(), normals: undefined };
    half.positions = half.positions.map((v) => v / 2);
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    const agg = { factor: 2, hfer2d: 0, hfer3d: 0, score: 0, voxelsBefore: 80, voxelsAfter: 10 }; // no meshAtObjectScale
    await lib.finishRun(run.id, {
      report: { ...fakeReport(500), name: 'cup', aggregation: agg, layout: { ...L, scale: L.scale * 2 } },
      artefacts: [{ kind: 'glb', data: await glbBytes(half, { name: 'cup' }) }],
    });
    const extent = (p: Float32Array) => { let lo = Infinity, hi = -Infinity; for (let i = 0; i < p.length; i += 3) { lo = Math.min(lo, p[i]); hi = Math.max(hi, p[i]); } return hi - lo; };
    const full = extent(sphere().positions);
    const plain = await call({ runId: run.id, formats: ['glb'], dir: path.join(root, 'legacy') });
    expect(extent(worldPositionsOf(await new NodeIO().readBinary(new Uint8Array(readFileSync(plain.files[0].path)))))).toBeCloseTo(full, 4);
    // Posed, it lands where it always did: the layout's scale divided by the S the mesh got back.
    const posed = await call({ runId: run.id, formats: ['glb'], posed: true, dir: path.join(root, 'legacy') });
    const expected = centreOf(cameraToGltf(poseMesh(sphere(), L).positions));
    const got = await glbCentre(posed.files[0].path);
    for (let a = 0; a < 3; a++) expect(got[a]).toBeCloseTo(expected[a], 3);
  });

  it('writes into the library export folder by default and copies a scene GLB', async () => {
    const { lib, image, mask, call } = await setup();
    const L = layout();
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    const objects = [
      { name: 'cup', mesh: sphere(), layout: L },
      { name: 'box', mesh: box(), layout: { ...L, translation: [0.2, 0, 3] as [number, number, number] } },
    ];
    await lib.finishRun(run.id, {
      report: {
        ...fakeReport(500),
        objects: objects.map((o) => ({ ...fakeReport(250), name: o.name, layout: o.layout })),
      },
      artefacts: [
        { kind: 'glb', data: await sceneGlbBytes(objects, { fovDeg: 40, width: 64, height: 48 }) },
        ...(await Promise.all(
          objects.map(async (o) => ({ kind: 'glb' as const, data: await glbBytes(o.mesh, { name: o.name }) })),
        )),
      ],
    });
    const res = await call({ runId: run.id, formats: ['glb'] });
    expect(res.dir).toBe(path.join(lib.dataDir, 'exports', run.id));
    expect(res.files.map((f) => [path.basename(f.path), f.role, f.object])).toEqual([
      ['exports-cup-fast-sam3d.glb', 'object', 'cup'],
      ['exports-box-fast-sam3d.glb', 'object', 'box'],
      ['exports-scene-fast-sam3d.glb', 'scene', 'scene'],
    ]);
    const scene = await readGlb(new Uint8Array(readFileSync(path.join(res.dir, 'exports-scene-fast-sam3d.glb'))));
    expect(scene.meshNodes).toBe(2);
    expect(scene.camera!.fovDeg).toBeCloseTo(40, 4);
    // simplified scene is rebuilt with the same camera
    const small = await call({
      runId: run.id,
      formats: ['glb'],
      targetTriangles: 200,
      dir: path.join(root, 'scene-small'),
    });
    const rebuilt = await readGlb(new Uint8Array(readFileSync(small.files.find((f) => f.role === 'scene')!.path)));
    expect(rebuilt.camera!.fovDeg).toBeCloseTo(40, 4);
    expect(rebuilt.mesh.indices.length / 3).toBeLessThanOrEqual(200);
  });

  it('answers bad requests, unknown runs and unfinished runs with clear errors', async () => {
    const { lib, image, mask, call } = await setup();
    await expect(call({ runId: 'x', formats: [] })).rejects.toMatchObject({ api: { code: 'BAD_REQUEST' } });
    await expect(call({ runId: 'nope', formats: ['glb'] })).rejects.toMatchObject({ api: { code: 'NOT_FOUND' } });
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    const err = await call({ runId: run.id, formats: ['glb'] }).catch((e: { api: unknown }) => e.api);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as { message: string }).message).toMatch(/has not finished/);
    const blocker = path.join(root, 'file-not-folder');
    writeFileSync(blocker, 'x');
    await lib.finishRun(run.id, {
      report: { ...fakeReport(500), name: 'cup', layout: layout() },
      artefacts: [{ kind: 'glb', data: await glbBytes(sphere(), { name: 'cup' }) }],
    });
    const bad = await call({ runId: run.id, formats: ['glb'], dir: path.join(blocker, 'sub') }).catch(
      (e: { api: unknown }) => e.api,
    );
    expect(bad).toMatchObject({ code: 'BAD_REQUEST' });
    expect((bad as { message: string }).message).toMatch(/Cannot create the export folder/);
    expect(existsSync(path.join(blocker, 'sub'))).toBe(false);
  });
});

/** Bounding-box centre of a GLB's first mesh (glTF axes). */
/** The centre of a GLB's mesh where a viewer draws it (through its node's transform). */
async function glbCentre(file: string): Promise<number[]> {
  return centreOf(worldPositionsOf(await new NodeIO().readBinary(new Uint8Array(readFileSync(file)))));
}

function centreOf(p: Float32Array): number[] {
  return [0, 1, 2].map((a) => {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = a; i < p.length; i += 3) {
      lo = Math.min(lo, p[i]);
      hi = Math.max(hi, p[i]);
    }
    return (lo + hi) / 2;
  });
}

const at = (z: number): Layout => ({ ...layout(), translation: [0, 0, z] });

/** A finished scene-like run whose stored object GLBs carry `glbNames` and whose report objects `reportNames`. */
async function objectsRun(
  s: Awaited<ReturnType<typeof setup>>,
  glbNames: string[],
  reportNames: string[],
  layouts: (Layout | undefined)[],
) {
  const run = s.lib.beginRun(runInput(s.image.id, [s.mask.id]));
  await s.lib.finishRun(run.id, {
    report: {
      ...fakeReport(500),
      objects: reportNames.map((name, i) => ({
        ...fakeReport(250),
        name,
        ...(layouts[i] ? { layout: layouts[i] } : {}),
      })),
    },
    artefacts: await Promise.all(
      glbNames.map(async (name) => ({ kind: 'glb' as const, data: await glbBytes(sphere(), { name }) })),
    ),
  });
  return run;
}

describe('export.run with objects named alike', () => {
  it('poses each object with its own layout when the stored names were made unique', async () => {
    const s = await setup();
    // Masks "cup", "cup", "cup-2": the worker stored them as cup, cup-2, cup-2-2 (uniqueOutputNames), while the
    // report keeps the mask names, so "cup-2" names the second object's file and the third one's report.
    const layouts = [at(2), at(4), at(6)];
    const run = await objectsRun(s, ['cup', 'cup-2', 'cup-2-2'], ['cup', 'cup', 'cup-2'], layouts);
    const res = await s.call({ runId: run.id, formats: ['glb'], posed: true, dir: path.join(root, 'alike-posed') });
    expect(res.files.map((f) => path.basename(f.path))).toEqual(['exports-cup-fast-sam3d-posed.glb', 'exports-cup-2-fast-sam3d-posed.glb', 'exports-cup-2-2-fast-sam3d-posed.glb']);
    for (const [i, f] of res.files.entries()) {
      const expected = centreOf(cameraToGltf(poseMesh(sphere(), layouts[i]).positions));
      const got = await glbCentre(f.path);
      for (let a = 0; a < 3; a++) expect(got[a]).toBeCloseTo(expected[a], 2);
    }
  });

  it('writes one file per object when two stored objects have the same name', async () => {
    const s = await setup();
    const run = await objectsRun(s, ['cup', 'cup'], ['cup', 'cup'], [at(2), at(4)]);
    const dir = path.join(root, 'same-name');
    const res = await s.call({ runId: run.id, formats: ['glb', 'obj'], dir });
    expect(res.files.map((f) => [path.basename(f.path), f.object])).toEqual([
      ['exports-cup-fast-sam3d.glb', 'cup'],
      ['exports-cup-fast-sam3d.obj', 'cup'],
      ['exports-cup-fast-sam3d.mtl', 'cup'],
      ['exports-cup-2-fast-sam3d.glb', 'cup-2'],
      ['exports-cup-2-fast-sam3d.obj', 'cup-2'],
      ['exports-cup-2-fast-sam3d.mtl', 'cup-2'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(res.files.map((f) => path.basename(f.path)).sort());
  });

  it('says which files replaced those of an earlier export, and keeps each variant in its own files', async () => {
    const s = await setup();
    const run = await objectsRun(s, ['cup'], ['cup'], [at(2)]);
    const dir = path.join(root, 'again');
    const first = await s.call({ runId: run.id, formats: ['glb'], dir });
    expect(first.files.map((f) => f.replaced)).toEqual([false]);
    const second = await s.call({ runId: run.id, formats: ['glb', 'ply'], dir });
    expect(second.files.map((f) => [path.basename(f.path), f.replaced])).toEqual([
      ['exports-cup-fast-sam3d.glb', true],
      ['exports-cup-fast-sam3d.ply', false],
    ]);
    // A posed or simplified export sits beside the full one instead of replacing it.
    const posed = await s.call({ runId: run.id, formats: ['glb'], posed: true, targetTriangles: 100, dir });
    expect(posed.files.map((f) => [path.basename(f.path), f.replaced])).toEqual([['exports-cup-fast-sam3d-posed-100tri.glb', false]]);
    expect(readdirSync(dir).sort()).toEqual(['exports-cup-fast-sam3d-posed-100tri.glb', 'exports-cup-fast-sam3d.glb', 'exports-cup-fast-sam3d.ply']);
  });

  it('writes nothing when one object of the run cannot be exported', async () => {
    const s = await setup();
    const run = await objectsRun(s, ['cup', 'box'], ['cup', 'box'], [at(2), undefined]);
    const dir = path.join(root, 'all-or-nothing');
    const err = await s
      .call({ runId: run.id, formats: ['glb', 'obj'], posed: true, dir })
      .catch((e: { api: unknown }) => e.api);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as { message: string }).message).toMatch(/no layout for "box"/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
