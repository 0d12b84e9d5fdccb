/**
 * export.run on runs the job service recorded: the real pipeline on the test pack (models/test-tiny)
 * stands in for the worker, the real library stores the runs, and the real export.run handler writes
 * the files, which are read back with glTF-Transform. A scene job is stored as one run per object, each
 * holding its object and the job's scene; the window exports one of them.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher, EventHub } from '../../src-main/api/index';
import { exportHandlers } from '../../src-main/api/exports';
import { JobService } from '../../src-main/api/jobs';
import { closePacks, runWorkerJob } from '../../src-main/inference/pipeline-runner';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { SettingsStore } from '../../src-main/inference/settings-store';
import { jobLibrary, Library } from '../../src-main/library';
import type { JobSubmitRequest, JobSummary } from '../../src-shared/api/jobs';
import { photoPng } from '../library/fixtures';
import { validate } from './fixtures';

const MODELS = path.resolve(__dirname, '../../models');
const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-export-job-'));
let lib: Library;
let jobs: JobService;
let events: EventHub;
let call: (req: unknown) => Promise<{ dir: string; files: { path: string; role: string; object?: string }[] }>;

/** A w×h mask PNG: white inside the rectangle [x0, x1) × [y0, y1). */
async function rectMask(w: number, h: number, x0: number, x1: number, y0: number, y1: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h, 0);
  for (let y = y0; y < y1; y++) px.fill(255, y * w + x0, y * w + x1);
  return sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}

/** Submit a job and wait until it ends; the runs it recorded, in its order. */
async function runJob(req: Omit<JobSubmitRequest, 'packId' | 'params' | 'withBaseline'> & { withBaseline?: boolean }): Promise<string[]> {
  let jobId = '';
  const finished = new Promise<JobSummary>((resolve) =>
    events.subscribe((name, payload) => {
      const job = (payload as { job?: JobSummary }).job;
      if (name === 'job.finished' && job?.jobId === jobId) resolve(job);
    }),
  );
  jobId = jobs.submit({ withBaseline: false, ...req, packId: 'test-tiny', params: { seed: 1, ssSteps: 3, slatSteps: 3 } });
  const job = await finished;
  expect(job.status, job.error).toBe('succeeded');
  return job.runIds;
}

beforeAll(async () => {
  lib = Library.open(path.join(root, 'data'), { appVersion: '0.1.0', thumbnailSize: 32 });
  events = new EventHub();
  const supervisor = {
    providers: ['cpu'],
    start() {},
    async run(job: WorkerJob) {
      const r = await runWorkerJob(job, { provider: 'cpu', signal: new AbortController().signal, onProgress: () => {} });
      return { type: 'done' as const, jobId: job.jobId, executionProvider: r.executionProvider, reports: r.reports, outputs: r.outputs, warnings: r.warnings };
    },
    cancel: () => false,
    close() {},
  };
  jobs = new JobService({
    dataDir: lib.dataDir, packRoots: [MODELS], settings: new SettingsStore(lib.dataDir), supervisor: supervisor as never, events,
    library: jobLibrary(lib, { appVersion: '0.1.0' }),
  });
  const d = new Dispatcher().register(exportHandlers(lib));
  call = async (req) => {
    const r = await d.dispatch('export.run', req);
    if (!r.ok) throw new Error(r.error.message);
    return r.result as Awaited<ReturnType<typeof call>>;
  };
});

afterAll(async () => {
  lib.close();
  await closePacks();
  rmSync(root, { recursive: true, force: true });
});

const readDoc = async (file: string) => new NodeIO().readBinary(new Uint8Array(readFileSync(file)));

describe('a scene job exported from one of its runs', () => {
  it('keeps every object of the scene when simplified, each placed as in the full scene', async () => {
    const project = lib.createProject('three things');
    const { image } = await lib.importImage({ projectId: project.id, name: 'photo.png', data: await photoPng(96, 64) });
    const masks = [];
    for (const [k, x] of [4, 36, 68].entries())
      masks.push(await lib.saveMask({ imageId: image.id, name: `object ${k}`, png: await rectMask(96, 64, x, x + 24, 16, 48) }));
    const runIds = await runJob({ kind: 'scene', imageId: image.id, maskIds: masks.map((m) => m.id), method: 'fast-sam3d' });
    expect(runIds).toHaveLength(3);
    // The masks are renamed after the run: the scene's objects take the names they have now.
    lib.renameMask(masks[0].id, 'the mug/handle');

    // The window exports the scene from the result of one object (the second).
    const full = await call({ runId: runIds[1], formats: ['glb'], dir: path.join(root, 'full') });
    const small = await call({ runId: runIds[1], formats: ['glb'], targetTriangles: 300, dir: path.join(root, 'small') });
    const sceneOf = (r: typeof full) => r.files.find((f) => f.role === 'scene')!.path;
    expect(path.basename(sceneOf(small))).toBe('three_things-scene-fast-sam3d-300tri.glb');

    const nodesOf = async (file: string) => {
      const doc = await readDoc(file);
      return {
        meshes: doc.getRoot().listNodes().filter((n) => n.getMesh()),
        cameras: doc.getRoot().listNodes().filter((n) => n.getCamera()),
      };
    };
    const before = await nodesOf(sceneOf(full));
    const after = await nodesOf(sceneOf(small));
    expect(before.meshes.map((n) => n.getName())).toEqual(['the_mug_handle', 'object_1', 'object_2']);
    // Every object of the job, not only the one whose run was exported.
    expect(after.meshes.map((n) => n.getName())).toEqual(['the_mug_handle', 'object_1', 'object_2']);
    expect(after.cameras).toHaveLength(1);
    // A valid glTF holding the simplified meshes only (the full ones are not left in its buffer).
    expect((await validate(new Uint8Array(readFileSync(sceneOf(small))))).messages).toEqual([]);
    expect(statSync(sceneOf(small)).size).toBeLessThan(statSync(sceneOf(full)).size / 4);
    for (const [i, node] of after.meshes.entries()) {
      const was = before.meshes[i];
      // Placed as in the full scene: the same node transform.
      node.getTranslation().forEach((v, a) => expect(v).toBeCloseTo(was.getTranslation()[a], 6));
      node.getRotation().forEach((v, a) => expect(v).toBeCloseTo(was.getRotation()[a], 6));
      node.getScale().forEach((v, a) => expect(v).toBeCloseTo(was.getScale()[a], 6));
      const count = (n: typeof node) => n.getMesh()!.listPrimitives()[0].getIndices()!.getCount() / 3;
      expect(count(was)).toBeGreaterThan(300);
      expect(count(node)).toBeLessThanOrEqual(300);
      expect(count(node)).toBeGreaterThan(100);
      // The simplified object keeps its size (bounding box of its mesh, in its own frame).
      const extent = (n: typeof node) => {
        const p = n.getMesh()!.listPrimitives()[0].getAttribute('POSITION')!;
        return [0, 1, 2].map((a) => p.getMax([])[a] - p.getMin([])[a]);
      };
      extent(node).forEach((e, a) => expect(e).toBeCloseTo(extent(was)[a], 1));
    }
  });
});

describe('file names of exported runs', () => {
  it('follow the current mask name and run label, and a result and its baseline get different names', async () => {
    const project = lib.createProject('mug');
    const { image } = await lib.importImage({ projectId: project.id, name: 'mug.png', data: await photoPng(64, 48, 7) });
    const mask = await lib.saveMask({ imageId: image.id, name: 'object 0', png: await rectMask(64, 48, 16, 48, 8, 40) });
    const [result, baseline] = await runJob({ kind: 'object', imageId: image.id, maskIds: [mask.id], method: 'fast-sam3d', withBaseline: true });
    expect(lib.getRun(baseline).method).toBe('off');

    const dir = path.join(root, 'downloads');
    const names = async (runId: string, extra: Record<string, unknown> = {}) =>
      (await call({ runId, formats: ['glb', 'obj', 'ply'], posed: true, dir, ...extra })).files.map((f) => path.basename(f.path));
    // Before any rename: the run says which preset made it, the baseline that it is the baseline.
    const plain = await names(result);
    const base = await names(baseline);
    expect(plain).toEqual(['mug-object_0-fast-sam3d-posed.glb', 'mug-object_0-fast-sam3d-posed.obj', 'mug-object_0-fast-sam3d-posed.mtl', 'mug-object_0-fast-sam3d-posed.ply']);
    expect(base).toEqual(['mug-object_0-baseline-off-posed.glb', 'mug-object_0-baseline-off-posed.obj', 'mug-object_0-baseline-off-posed.mtl', 'mug-object_0-baseline-off-posed.ply']);

    // Renamed in the library: the files follow.
    lib.renameMask(mask.id, 'the mug/handle');
    lib.renameRun(result, 'final / keep ✓');
    const renamed = await call({ runId: result, formats: ['glb', 'obj', 'ply'], posed: true, targetTriangles: 500, dir });
    const stem = 'mug-the_mug_handle-final_keep_✓-posed-500tri';
    expect(renamed.files.map((f) => path.basename(f.path))).toEqual([`${stem}.glb`, `${stem}.obj`, `${stem}.mtl`, `${stem}.ply`]);
    expect(renamed.files.map((f) => f.object)).toEqual(Array(4).fill('the mug/handle'));
    // Inside the files the object has the file's name (what Blender also calls the PLY's object).
    const glb = await readDoc(renamed.files[0].path);
    expect(glb.getRoot().listNodes().filter((n) => n.getMesh()).map((n) => n.getName())).toEqual([stem]);
    expect(readFileSync(renamed.files[1].path, 'utf8')).toMatch(new RegExp(`^o ${stem}$`, 'm'));
    expect((await names(baseline))[0]).toBe('mug-the_mug_handle-baseline-off-posed.glb');
  });
});
