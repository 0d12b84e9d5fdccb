/**
 * Jobs and the trash: a job is never started on a trashed project, image or mask, and emptying the
 * trash never deletes what a queued or running run still uses. Through the real dispatcher and job
 * service (a fake worker), and at the library level for a trashed item that has runs in progress.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dispatcher, EventHub } from '../../src-main/api/index';
import { JobService } from '../../src-main/api/jobs';
import { libraryHandlers } from '../../src-main/api/library';
import { SettingsStore } from '../../src-main/inference/settings-store';
import { Library, LibraryError, jobLibrary } from '../../src-main/library';
import type { JobSubmitRequest } from '../../src-shared/api/jobs';
import { greyMaskPng, photoPng, runInput, libraryOpener, tempDir } from './fixtures';

const MODELS = path.resolve(__dirname, '../../models');

const openLib = libraryOpener(32);

/** The library and the job service behind one dispatcher; the worker never answers (jobs stay running). */
function host() {
  const dataDir = tempDir();
  const lib = openLib(dataDir);
  const started: string[] = [];
  const supervisor = {
    providers: ['cpu'],
    start() {},
    run(job: { jobId: string }) {
      started.push(job.jobId);
      return new Promise<never>(() => {});
    },
    cancel: () => false,
    close() {},
  };
  const jobs = new JobService({
    dataDir, packRoots: [MODELS], settings: new SettingsStore(dataDir), supervisor: supervisor as never, events: new EventHub(),
    library: jobLibrary(lib, { appVersion: '0.1.0' }),
  });
  const d = new Dispatcher().register(libraryHandlers(lib)).register(jobs.handlers());
  const call = async (method: string, req: unknown) => {
    const r = await d.dispatch(method, req);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { api: r.error });
    return r.result as any;
  };
  return { lib, call, started, dataDir };
}

async function imageWithMask(lib: Library, name = 'chair.png') {
  const { image } = await lib.importImage({ name, data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 300) });
  return { image, mask };
}

const submit = (imageId: string, maskIds: string[]): JobSubmitRequest => ({
  kind: 'object', imageId, maskIds, packId: 'test-tiny', method: 'fast-sam3d', params: { seed: 1 }, withBaseline: false,
});

describe('jobs on trashed inputs', () => {
  it('jobs.submit refuses an image of a trashed project with CONFLICT "restore it first", and accepts it once restored', async () => {
    const { lib, call, started } = host();
    const { image, mask } = await imageWithMask(lib);
    await call('projects.trash', { projectId: image.projectId });
    const refused = await call('jobs.submit', submit(image.id, [mask.id])).catch((e) => e);
    expect(refused.api).toMatchObject({ code: 'CONFLICT', message: 'Project "chair" is in the trash; restore it before running a job on its images.' });
    expect(started).toEqual([]);
    expect(lib.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);

    // Emptying the trash now removes the project with its files; nothing of a job refers to them.
    const files = [lib.imagePath(image.id), lib.maskPath(mask.id)];
    // The counts say everything that went: the project's image with it.
    expect(await call('trash.empty', {})).toMatchObject({ projects: 1, images: 1, runs: 0 });
    expect(files.some((f) => fs.existsSync(f))).toBe(false);
  });

  it('refuses a trashed image (project not trashed), so no run is recorded that runs.list would never show', async () => {
    const { lib, call, started } = host();
    const { image, mask } = await imageWithMask(lib);
    await call('images.trash', { imageId: image.id });
    const refused = await call('jobs.submit', submit(image.id, [mask.id])).catch((e) => e);
    expect(refused.api).toMatchObject({ code: 'CONFLICT', message: 'Image "chair.png" is in the trash; restore it before running a job on it.' });
    expect(started).toEqual([]);

    await call('images.restore', { imageId: image.id });
    const { jobId } = await call('jobs.submit', submit(image.id, [mask.id]));
    expect(started).toEqual([jobId]);
    const runs = await call('runs.list', {});
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ imageId: image.id, status: 'queued' });
    // While the job runs its image cannot be trashed, so its files cannot go with the trash.
    const busy = await call('images.trash', { imageId: image.id }).catch((e) => e);
    expect(busy.api).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/still in progress/) });
  });

  it('refuses a scene listing one mask twice, and cancelling a job never submitted; an ended one is just not cancelled', async () => {
    const { lib, call, started } = host();
    const { image, mask } = await imageWithMask(lib);
    const twice = await call('jobs.submit', { ...submit(image.id, [mask.id, mask.id]), kind: 'scene' }).catch((e) => e);
    expect(twice.api).toMatchObject({ code: 'BAD_REQUEST', message: `Mask ${mask.id} is listed twice; a scene takes each object's mask once.` });
    expect(started).toEqual([]);
    const unknown = await call('jobs.cancel', { jobId: 'nope' }).catch((e) => e);
    expect(unknown.api).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^No job with id nope/) });
    const { jobId } = await call('jobs.submit', submit(image.id, [mask.id]));
    expect(await call('jobs.cancel', { jobId })).toEqual({ cancelled: false }); // this test's worker never cancels
  });

  it('the adapter refuses masks of a trashed image, unknown ids with NOT_FOUND, and masks of another image', async () => {
    const lib = openLib();
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    const { image, mask } = await imageWithMask(lib);
    const other = await imageWithMask(lib, 'table.png');
    const err = (f: () => unknown): LibraryError => {
      try {
        f();
      } catch (e) {
        return e as LibraryError;
      }
      throw new Error('expected an error');
    };
    expect(err(() => jobs.resolveInputs(submit('nope', [mask.id])))).toMatchObject({ code: 'NOT_FOUND', message: 'No image with id nope.' });
    expect(err(() => jobs.resolveInputs(submit(image.id, ['nope'])))).toMatchObject({ code: 'NOT_FOUND', message: 'No mask with id nope.' });
    expect(err(() => jobs.resolveInputs(submit(image.id, [other.mask.id])))).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/belongs to another image/) });

    lib.trashImage(image.id);
    expect(err(() => jobs.resolveInputs(submit(image.id, [mask.id])))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/is in the trash; restore it/) });
    // The library refuses a run of it too, whoever asks.
    expect(err(() => lib.beginRun(runInput(image.id, [mask.id])))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/in the trash/) });
    lib.restoreImage(image.id);
    expect(jobs.resolveInputs(submit(image.id, [mask.id]))).toEqual({ imagePath: lib.imagePath(image.id), masks: [{ path: lib.maskPath(mask.id), name: 'chair' }] });
  });
});

describe('emptying the trash with runs in progress', () => {
  /** A trashed item with a run in progress (a job accepted by an older build, or a row restored by hand). */
  it('keeps a trashed project, image and run with queued or running runs, reports them as kept, and removes them once the runs end', async () => {
    const lib = openLib();
    const a = await imageWithMask(lib, 'a.png');
    const b = await imageWithMask(lib, 'b.png');
    const c = await imageWithMask(lib, 'c.png');
    const runA = lib.beginRun({ ...runInput(a.image.id, [a.mask.id]), status: 'queued' });
    const runB = lib.beginRun(runInput(b.image.id, [b.mask.id]));
    const runC = lib.beginRun(runInput(c.image.id, [c.mask.id]));
    const t = new Date().toISOString();
    lib.db.prepare('UPDATE projects SET deleted_at = ? WHERE id = ?').run(t, a.image.projectId);
    lib.db.prepare('UPDATE images SET deleted_at = ? WHERE id = ?').run(t, b.image.id);
    lib.db.prepare('UPDATE runs SET deleted_at = ? WHERE id = ?').run(t, runC.id);
    // One trashed image without runs in progress, in the same project as the kept image b.
    const { image: idle } = await lib.importImage({ projectId: b.image.projectId, name: 'idle.png', data: await photoPng() });
    lib.trashImage(idle.id);

    const inUse = [a, b].flatMap(({ image, mask }) => [lib.imagePath(image.id), lib.maskPath(mask.id)]);
    const idleFile = lib.imagePath(idle.id);
    const first = lib.emptyTrash();
    expect(first).toMatchObject({ projects: 0, images: 1, runs: 0, kept: { projects: 1, images: 1, runs: 1 } });
    expect(inUse.every((f) => fs.existsSync(f))).toBe(true);
    expect(fs.existsSync(idleFile)).toBe(false);
    expect(lib.getRun(runA.id).status).toBe('queued');
    expect(lib.listTrash().projects.map((p) => p.id)).toEqual([a.image.projectId]);
    expect(lib.verify({ hashes: true })).toEqual([]);

    // The runs end: the next emptying takes everything.
    lib.startRun(runA.id);
    lib.failRun(runA.id, 'Cancelled', { cancelled: true });
    lib.failRun(runB.id, 'out of memory');
    lib.failRun(runC.id, 'out of memory');
    // Project a with its image and run, image b with its run, and run C.
    expect(lib.emptyTrash()).toMatchObject({ projects: 1, images: 2, runs: 3, kept: { projects: 0, images: 0, runs: 0 } });
    expect(inUse.some((f) => fs.existsSync(f))).toBe(false);
    expect(() => lib.getRun(runA.id)).toThrow(/No run/);
    expect(lib.listTrash()).toEqual({ projects: [], images: [], runs: [] });
    expect(lib.verify({ hashes: true })).toEqual([]);
    expect(lib.sweepOrphans()).toBe(0);
  });
});
