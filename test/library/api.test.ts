/**
 * The library behind the real API dispatcher (schema validation of requests and replies, error
 * mapping), and the adapter the job service records runs through.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jobLibrary } from '../../src-main/library';
import type { JobSubmitRequest } from '../../src-shared/api/jobs';
import { cubeGlb, cutoutPng, fakeReport, greyMaskPng, libraryApiOpener, photoPng, tempDir } from './fixtures';

const setup = libraryApiOpener(48);

describe('library API handlers', () => {
  it('imports an image, saves a mask, lists and reads them back through the dispatcher', async () => {
    const { call } = setup();
    const { image, masks } = await call('images.import', { name: 'cup.png', data: (await cutoutPng()).toString('base64') });
    expect(masks).toHaveLength(1);
    const mask = await call('masks.save', { imageId: image.id, name: 'handle', png: (await greyMaskPng(64, 48, 77)).toString('base64') });
    expect(mask.area).toBe(77);
    expect((await call('masks.list', { imageId: image.id })).map((m: any) => m.name)).toEqual(['alpha', 'handle']);
    const projects = await call('projects.list', {});
    expect(projects).toMatchObject([{ name: 'cup', images: 1, runs: 0, cover: { kind: 'image', id: image.id } }]);
    const thumb = await call('thumbnails.get', { kind: 'image', id: image.id });
    expect((await sharp(Buffer.from(thumb.png, 'base64')).metadata()).width).toBe(48);
    const read = await call('images.read', { imageId: image.id });
    expect(read.mime).toBe('image/png');
    expect(Buffer.from(read.data, 'base64').equals(await cutoutPng())).toBe(true);

    // The window opens the same photo again with reuse: the same image and its two masks, no second project.
    const again = await call('images.import', { name: 'cup again.png', data: (await cutoutPng()).toString('base64'), reuse: true });
    expect(again).toMatchObject({ reused: true, image: { id: image.id } });
    expect(again.masks.map((m: any) => m.name)).toEqual(['alpha', 'handle']);
    expect(await call('projects.list', {})).toHaveLength(1);
    // Without reuse (the default, as before) it is a copy.
    expect((await call('images.import', { name: 'cup.png', data: (await cutoutPng()).toString('base64') })).reused).toBe(false);
    // A SAM 3D folder opened twice with reuse is one image.
    const dir = path.resolve(__dirname, '../../resources/examples/mug');
    const a = await call('images.importFolder', { path: dir, reuse: true });
    const b = await call('images.importFolder', { path: dir, reuse: true });
    expect([a.reused, b.reused, b.image.id, b.masks.length]).toEqual([false, true, a.image.id, a.masks.length]);
  });

  it('imports a SAM 3D example folder (image.png + 0.png, 1.png, …) as one image with its masks', async () => {
    const { call, lib } = setup();
    const dir = path.resolve(__dirname, '../../resources/examples/scene-three');
    const masksOnDisk = fs.readdirSync(dir).filter((f) => /^\d+\.png$/.test(f)).length;
    const { image, masks } = await call('images.importFolder', { path: dir });
    expect(image.name).toBe('scene-three.png');
    expect(masks.map((m: any) => m.name)).toEqual(Array.from({ length: masksOnDisk }, (_, i) => `object ${i}`));
    expect(masks.every((m: any) => m.area > 0)).toBe(true);
    expect(fs.readFileSync(lib.maskPath(masks[0].id)).equals(fs.readFileSync(path.join(dir, '0.png')))).toBe(true);
    const bad = await lib.importImage({ name: 'x.png', data: await photoPng(), masks: [{ name: 'small', png: await greyMaskPng(8, 8, 4) }] }).catch((e) => e);
    expect(bad.message).toMatch(/Mask "small" was not saved: it is 8×8/);
    expect(lib.listProjects().map((p) => p.name)).toEqual(['scene-three']); // the failed import left nothing
    const none = await call('images.importFolder', { path: tempDir() }).catch((e) => e);
    expect(none.api).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/has no image.png/) });
  });

  it('answers NOT_FOUND, BAD_REQUEST and CONFLICT with the library message', async () => {
    const { d, lib } = setup();
    expect(await d.dispatch('runs.get', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No run with id nope.' } });
    const { image } = await lib.importImage({ name: 'p.png', data: await photoPng() });
    const bad = await d.dispatch('masks.save', { imageId: image.id, name: 'm', png: (await greyMaskPng(10, 10, 5)).toString('base64') });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/10×10 but image "p.png" is 64×48/) } });
    // A name the schema refuses is said in words, not as zod's "Too small: expected string to have >=1 characters".
    expect(await d.dispatch('projects.rename', { projectId: image.projectId, name: '  ' })).toMatchObject({
      ok: false, error: { code: 'BAD_REQUEST', message: 'A name cannot be empty: type at least one character.' },
    });
    expect(await d.dispatch('images.rename', { imageId: image.id, name: 'x'.repeat(256) })).toMatchObject({
      ok: false, error: { code: 'BAD_REQUEST', message: 'A name can be at most 255 characters long: shorten it.' },
    });
    expect(await d.dispatch('projects.setTags', { projectId: image.projectId, tags: ['ok', ' '] })).toMatchObject({
      ok: false, error: { code: 'BAD_REQUEST', message: 'A tag cannot be empty: type at least one character.', issues: [{ path: 'tags.1' }] },
    });
    // A saved mask is renamed in place (the window renames rather than saving a copy); its area stays.
    const saved = await d.dispatch('masks.save', { imageId: image.id, name: 'm', png: (await greyMaskPng(64, 48, 50)).toString('base64') });
    const maskId = (saved as { result: { id: string } }).result.id;
    expect(await d.dispatch('masks.rename', { maskId, name: '  cup body ' })).toMatchObject({ ok: true, result: { id: maskId, name: 'cup body', area: 50 } });
    expect(lib.listMasks(image.id).map((m) => m.name)).toEqual(['cup body']);
    expect(await d.dispatch('masks.rename', { maskId, name: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'A name cannot be empty: type at least one character.' } });
    expect(await d.dispatch('masks.rename', { maskId: 'nope', name: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No mask with id nope.' } });
    // Zero-width only passes the schema's trim and is refused by the library, with its reason.
    expect(await d.dispatch('runs.rename', { runId: 'nope', name: 'a' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await d.dispatch('projects.rename', { projectId: image.projectId, name: '\u200B' })).toMatchObject({
      ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/only invisible characters/) },
    });
    // A request built by hand with a wrong type still gets the field path and zod's words.
    expect(await d.dispatch('projects.rename', { projectId: image.projectId, name: 7 })).toMatchObject({
      ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^Invalid request for projects\.rename: name: /) },
    });
    const imp = await d.dispatch('projects.import', { path: path.join(tempDir(), 'missing.zip') });
    expect(imp).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('job service adapter', () => {
  it('resolves inputs, records queued runs per object and their results, and links the baseline', async () => {
    const { lib, call } = setup();
    const { image } = await lib.importImage({ name: 'pair.png', data: await photoPng() });
    const a = await lib.saveMask({ imageId: image.id, name: 'cup', png: await greyMaskPng(64, 48, 100) });
    const b = await lib.saveMask({ imageId: image.id, name: 'cup', png: await greyMaskPng(64, 48, 200) });
    const packDir = tempDir();
    fs.writeFileSync(path.join(packDir, 'manifest.json'), JSON.stringify({ name: 'mini', version: '2.1.0' }));
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });

    const req: JobSubmitRequest = { kind: 'scene', imageId: image.id, maskIds: [a.id, b.id], packId: 'mini', method: 'fast-sam3d', params: { seed: 5 }, withBaseline: true };
    const inputs = jobs.resolveInputs(req);
    expect(inputs.imagePath).toBe(lib.imagePath(image.id));
    expect(inputs.masks.map((m) => m.name)).toEqual(['cup', 'cup (2)']);

    const fast = jobs.beginRun(req, { jobId: 'j1', objectIndex: 0, objectName: 'cup', baseline: false, packDir });
    const base = jobs.beginRun(req, { jobId: 'j1', objectIndex: 0, objectName: 'cup', baseline: true, packDir });
    expect(lib.getRun(fast)).toMatchObject({ status: 'queued', packName: 'mini', packVersion: '2.1.0', method: 'fast-sam3d', seed: 5, maskIds: [a.id] });
    expect(lib.getRun(base)).toMatchObject({ method: 'off', seed: 5, name: 'cup · off (baseline)' });
    expect(lib.getRun(base).params).toMatchObject({ ssCache: false, slatCarving: false, meshAggregation: false });

    const out = tempDir();
    fs.writeFileSync(path.join(out, 'cup.glb'), await cubeGlb());
    fs.writeFileSync(path.join(out, 'scene.glb'), await cubeGlb());
    const files = [{ object: 'scene' as const, kind: 'glb' as const, path: 'scene.glb' }, { object: 0, kind: 'glb' as const, path: path.join(out, 'cup.glb') }, { object: 0, kind: 'report' as const, path: 'cup.json' }];
    await jobs.finishRun(fast, { report: fakeReport(400) as never, executionProvider: 'cpu', files, outputDir: out });
    await jobs.finishRun(base, { report: fakeReport(1000, 'off') as never, executionProvider: 'cpu', files, outputDir: out });
    const done = await call('runs.get', { runId: fast });
    // Same mesh as its baseline: measured automatically from the two GLBs, F1 = 100, Chamfer 0.
    expect(done).toMatchObject({ status: 'succeeded', executionProvider: 'cpu', baselineRunId: base, speedup: 2.5, quality: 100 });
    expect(done.metrics).toMatchObject({ f1: 100, cd: 0, viou: 1 });
    expect(done.artefacts.map((x: any) => x.kind)).toEqual(['glb', 'glb', 'thumbnail']);

    const other = jobs.beginRun(req, { jobId: 'j2', objectIndex: 1, objectName: 'cup (2)', baseline: false, packDir });
    jobs.failRun(other, 'Cancelled by the user', 'cancelled');
    expect(lib.getRun(other)).toMatchObject({ status: 'cancelled', error: 'Cancelled by the user' });
    const dup = await call('runs.duplicate', { runId: fast, params: { ssCacheStride: 2 } });
    expect(dup.request).toMatchObject({ kind: 'object', imageId: image.id, maskIds: [a.id], packId: 'mini', method: 'fast-sam3d' });
    expect(dup.request.params).toMatchObject({ seed: 5, ssCacheStride: 2 });
  });
});

describe('job service adapter on a full disk', () => {
  it('rejects with the disk-full message so the job fails, and leaves the run without artefacts', async () => {
    const { lib } = setup();
    const { image } = await lib.importImage({ name: 'a.png', data: await photoPng() });
    const m = await lib.saveMask({ imageId: image.id, name: 'obj', png: await greyMaskPng(64, 48, 100) });
    const packDir = tempDir();
    const errors: string[] = [];
    const jobs = jobLibrary(lib, { appVersion: '0.1.0', onRecordError: (runId) => errors.push(runId) });
    const req: JobSubmitRequest = { kind: 'object', imageId: image.id, maskIds: [m.id], packId: 'p', method: 'fast-sam3d', params: {}, withBaseline: false };
    const runId = jobs.beginRun(req, { jobId: 'j', objectIndex: 0, objectName: 'obj', baseline: false, packDir });
    lib.db.pragma(`max_page_count = ${lib.db.pragma('page_count', { simple: true })}`);
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'obj.glb'), await cubeGlb());
    const big = { ...fakeReport(10), warnings: ['w'.repeat(300_000)] };
    await expect(jobs.finishRun(runId, { report: big as never, executionProvider: 'cpu', files: [{ object: 0, kind: 'glb', path: 'obj.glb' }], outputDir: out }))
      .rejects.toMatchObject({ code: 'DISK_FULL' });
    expect(errors).toEqual([runId]);
    expect(lib.getRun(runId)).toMatchObject({ status: 'queued', artefacts: [] });
    jobs.failRun(runId, 'The result could not be saved: disk full', 'failed');
    expect(lib.getRun(runId).status).toBe('failed');
  });

  it('with fit to mask, hands the worker the masks left out of the run (what a masked thing in front may hide)', async () => {
    const { lib } = setup();
    const { image } = await lib.importImage({ name: 'shelf.png', data: await photoPng() });
    const [cup, book, lamp] = await Promise.all(['cup', 'book', 'lamp'].map(async (name, i) =>
      lib.saveMask({ imageId: image.id, name, png: await greyMaskPng(64, 48, 100 * (i + 1)) })));
    const { image: elsewhere } = await lib.importImage({ name: 'other.png', data: await photoPng() });
    const stranger = await lib.saveMask({ imageId: elsewhere.id, name: 'not this photo', png: await greyMaskPng(64, 48, 50) });
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    const req = (maskIds: string[], otherMaskIds: string[], params: JobSubmitRequest['params'] = { fitToMask: true }): JobSubmitRequest =>
      ({ kind: maskIds.length > 1 ? 'scene' : 'object', imageId: image.id, maskIds, otherMaskIds, packId: 'mini', method: 'off', params, withBaseline: false });

    expect(jobs.resolveInputs(req([cup.id], [book.id, lamp.id])).otherMasks).toEqual([
      { path: lib.maskPath(book.id), name: 'book' },
      { path: lib.maskPath(lamp.id), name: 'lamp' },
    ]);
    // One of the run's own masks or a repeat is not counted twice; none left: no otherMasks.
    expect(jobs.resolveInputs(req([cup.id, lamp.id], [lamp.id, book.id, book.id])).otherMasks).toEqual([{ path: lib.maskPath(book.id), name: 'book' }]);
    expect(jobs.resolveInputs(req([cup.id], [cup.id])).otherMasks).toBeUndefined();
    expect(jobs.resolveInputs(req([cup.id], [book.id], { seed: 3 })).otherMasks).toBeUndefined(); // not read without fit to mask
    // Checked like the run's own masks.
    expect(() => jobs.resolveInputs(req([cup.id], [stranger.id]))).toThrow(/belongs to another image/);
    expect(() => jobs.resolveInputs(req([cup.id], ['nope']))).toThrow(/No mask with id nope/);
    // Each object's run keeps what fit to mask counted beside it (the job's other masks, then its other
    // objects), and its duplicate asks for the same: one object refitted alone is fitted the same way.
    const packDir = tempDir(); // no manifest: the run records the folder's name as the pack
    const scene = req([cup.id, lamp.id], [book.id]);
    const cupRun = jobs.beginRun(scene, { jobId: 'j', objectIndex: 0, objectName: 'cup', baseline: false, packDir });
    const lampRun = jobs.beginRun(scene, { jobId: 'j', objectIndex: 1, objectName: 'lamp', baseline: true, packDir });
    expect(lib.otherMaskIdsOf(cupRun)).toEqual([book.id, lamp.id]);
    expect(lib.otherMaskIdsOf(lampRun)).toEqual([book.id, cup.id]); // the baseline fits the same way
    expect(lib.duplicateRun(cupRun)).toMatchObject({ maskIds: [cup.id], otherMaskIds: [book.id, lamp.id] });
    // Fitted beside other masks is another input than fitted alone: the two do not pair as run and baseline.
    const alone = jobs.beginRun(req([cup.id], []), { jobId: 'a', objectIndex: 0, objectName: 'cup', baseline: false, packDir });
    const key = (id: string) => lib.db.prepare(`SELECT input_key FROM runs WHERE id = ?`).pluck().get(id) as string;
    expect(key(cupRun)).toMatch(/\|fitToMask=/);
    expect(key(alone)).not.toBe(key(cupRun));
    // Without fit to mask nothing is kept.
    const plain = jobs.beginRun(req([cup.id, lamp.id], [book.id], { seed: 3 }), { jobId: 'k', objectIndex: 0, objectName: 'cup', baseline: false, packDir });
    expect(lib.otherMaskIdsOf(plain)).toEqual([]);
    expect(lib.duplicateRun(plain).otherMaskIds).toBeUndefined();
  });
});
