/** The library against real SQLite files and real asset folders in temp dirs. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, Library, LibraryError, exportProject } from '../../src-main/library';
import { leftOutNote } from '../../src-main/library/archive';
import { sha256 } from '../../src-main/library/files';
import { cubeGlb, cubeMesh, cutoutPng, fakeReport, greyMaskPng, photoPng, runInput, tempDir } from './fixtures';

const open: Library[] = [];
function openLib(dir = tempDir()): Library {
  const lib = Library.open(dir, { appVersion: '0.1.0', thumbnailSize: 64 });
  open.push(lib);
  return lib;
}
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

async function projectWithMask(lib: Library) {
  const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 300) });
  return { image, mask };
}

describe('opening', () => {
  it('creates the database with WAL, foreign keys and the latest schema version', () => {
    const dir = tempDir();
    const lib = openLib(dir);
    expect(lib.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(fs.existsSync(path.join(dir, 'library.sqlite'))).toBe(true);
  });
});

describe('images and masks', () => {
  it('stores a photo with its hash, size and thumbnail, in a new project named after it', async () => {
    const lib = openLib();
    const data = await photoPng(64, 48);
    const { image, masks } = await lib.importImage({ name: 'chair.png', data });
    expect(masks).toEqual([]);
    expect(image).toMatchObject({ name: 'chair.png', width: 64, height: 48, sha256: sha256(data), bytes: data.length });
    expect(fs.readFileSync(lib.imagePath(image.id)).equals(data)).toBe(true);
    const project = lib.getProject(image.projectId);
    expect(project).toMatchObject({ name: 'chair', images: 1, runs: 0, cover: { kind: 'image', id: image.id } });
    const thumb = await sharp(lib.thumbnail('image', image.id)!).metadata();
    expect(thumb).toMatchObject({ format: 'png', width: 64, height: 48 });
  });

  it('turns the alpha of an RGBA cut-out into a mask in the SAM 3D convention', async () => {
    const lib = openLib();
    const { image, masks } = await lib.importImage({ name: 'cut.png', data: await cutoutPng(64, 48, 20, 10) });
    expect(masks).toHaveLength(1);
    expect(masks[0]).toMatchObject({ imageId: image.id, name: 'alpha', area: 200 });
    const { data, info } = await sharp(lib.maskPath(masks[0].id)).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect([...data.subarray(0, 4)]).toEqual([255, 255, 255, 0]); // white, transparent outside
  });

  it('reopens a photo already in the library instead of copying it (reuse), with its masks', async () => {
    const lib = openLib();
    const data = await photoPng(64, 48);
    const first = await lib.importImage({ name: 'chair.png', data, reuse: true });
    expect(first.reused).toBe(false);
    const saved = await lib.saveMask({ imageId: first.image.id, name: 'seat', png: await greyMaskPng(64, 48, 300) });

    // Same bytes under another name: the same image and project back, with the saved mask; no new rows or files.
    const again = await lib.importImage({ name: 'IMG_0042.png', data, reuse: true });
    expect(again).toMatchObject({ reused: true, image: { id: first.image.id, name: 'chair.png' } });
    expect(again.masks.map((m) => m.id)).toEqual([saved.id]);
    expect(lib.listProjects()).toHaveLength(1);
    expect(fs.readdirSync(path.join(lib.assetsDir, 'images'))).toHaveLength(1);

    // Masks that come with it are added unless the image holds the same PNG already; a bad one adds none.
    const leg = await greyMaskPng(64, 48, 100);
    const withMasks = await lib.importImage({ name: 'chair.png', data, reuse: true, masks: [{ name: 'seat again', png: await greyMaskPng(64, 48, 300) }, { name: 'leg', png: leg }] });
    expect(withMasks.masks.map((m) => m.name)).toEqual(['seat', 'leg']);
    await expect(lib.importImage({ name: 'chair.png', data, reuse: true, masks: [{ name: 'arm', png: await greyMaskPng(64, 48, 50) }, { name: 'tiny', png: await greyMaskPng(8, 8, 4) }] }))
      .rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(lib.listMasks(first.image.id)).toHaveLength(2);
    // The same mask in other bytes (the window saved a cut-out's mask as black and white, then the SAM 3D
    // folder's cut-out comes with the photo again) is the mask the image holds, not a second one.
    const px = Buffer.alloc(64 * 48 * 4, 0);
    for (let p = 0; p < 100; p++) px.fill(255, 4 * p, 4 * p + 4); // the 'leg' pixels as an RGBA cut-out
    const cutout = await sharp(px, { raw: { width: 64, height: 48, channels: 4 } }).png().toBuffer();
    expect(sha256(cutout)).not.toBe(sha256(leg));
    const sameLeg = await lib.importImage({ name: 'chair.png', data, reuse: true, masks: [{ name: 'object 0', png: cutout }] });
    expect(sameLeg.masks.map((m) => m.name)).toEqual(['seat', 'leg']);

    // Another photo, a copy without reuse, and the same photo once its image is in the trash: new images.
    expect((await lib.importImage({ name: 'other.png', data: await photoPng(64, 48, 7), reuse: true })).reused).toBe(false);
    expect((await lib.importImage({ name: 'chair copy.png', data })).reused).toBe(false);
    lib.trashImage(first.image.id);
    const copy = lib.listProjects().find((p) => p.name === 'chair copy')!;
    lib.trashProject(copy.id);
    const fresh = await lib.importImage({ name: 'chair.png', data, reuse: true });
    expect(fresh.reused).toBe(false);
    expect(fresh.image.id).not.toBe(first.image.id);

    // Into a given project: only that project's images count.
    const other = lib.createProject('elsewhere');
    const inOther = await lib.importImage({ projectId: other.id, name: 'chair.png', data, reuse: true });
    expect(inOther).toMatchObject({ reused: false, image: { projectId: other.id } });
    expect((await lib.importImage({ projectId: other.id, name: 'x.png', data, reuse: true })).image.id).toBe(inOther.image.id);
  });

  it('refuses a file that is not an image, and a mask of the wrong size or empty, with the reason', async () => {
    const lib = openLib();
    await expect(lib.importImage({ name: 'notes.txt', data: Buffer.from('hello') })).rejects.toThrow(/not an image/);
    // A PNG cut off after its header: the header reads, the pixels do not. A clear input error, nothing stored.
    const whole = await photoPng(64, 48);
    const cut = lib.importImage({ name: 'cut.png', data: whole.subarray(0, 80) });
    await expect(cut).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/"cut\.png" is damaged or incomplete: its header reads as a 64×48 png/) });
    expect(lib.listProjects()).toEqual([]);
    const { image } = await lib.importImage({ name: 'a.png', data: whole });
    await expect(lib.saveMask({ imageId: image.id, name: 'm', png: await greyMaskPng(32, 32, 10) })).rejects.toThrow(/32×32 but image "a.png" is 64×48/);
    await expect(lib.saveMask({ imageId: image.id, name: 'm', png: await greyMaskPng(64, 48, 0) })).rejects.toThrow(/empty/);
    expect(lib.listMasks(image.id)).toEqual([]);
    expect(lib.sweepOrphans()).toBe(0); // failed saves left no file behind
  });

  it('reads a saved mask as a run does: opaque RGBA by its colours, so an all-black one is empty and a box is its box', async () => {
    const lib = openLib();
    const { image } = await lib.importImage({ name: 'a.png', data: await photoPng(64, 48) });
    // Black-and-white masks saved with an opaque alpha channel (what many editors write).
    const opaqueRgba = (box: [number, number, number, number] | null) => {
      const px = Buffer.alloc(64 * 48 * 4);
      for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) {
        const o = (y * 64 + x) * 4;
        const on = box !== null && x >= box[0] && x < box[2] && y >= box[1] && y < box[3];
        px.fill(on ? 255 : 0, o, o + 3);
        px[o + 3] = 255;
      }
      return sharp(px, { raw: { width: 64, height: 48, channels: 4 } }).png().toBuffer();
    };
    await expect(lib.saveMask({ imageId: image.id, name: 'black', png: await opaqueRgba(null) })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/"black" is empty/) });
    const box = await lib.saveMask({ imageId: image.id, name: 'box', png: await opaqueRgba([10, 5, 30, 25]) });
    expect(box.area).toBe(20 * 20);
    // An SAM 3D cut-out still reads by its alpha.
    expect((await lib.saveMask({ imageId: image.id, name: 'cutout', png: await cutoutPng(64, 48, 20, 10) })).area).toBe(20 * 10);
    // A mask of the whole frame outlines nothing: refused when saved, not when the run starts.
    await expect(lib.saveMask({ imageId: image.id, name: 'all', png: await greyMaskPng(64, 48, 64 * 48) })).rejects.toThrow(/"all" covers the whole image/);
    expect(lib.listMasks(image.id).map((m) => m.name).sort()).toEqual(['box', 'cutout']);
  });
});

describe('runs', () => {
  it('records a run from begin to finish with artefacts, a rendered thumbnail and the report', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    expect(run).toMatchObject({ status: 'running', name: 'chair · fast-sam3d', seed: 42, maskIds: [mask.id], kind: 'object' });
    const glb = await cubeGlb();
    const detail = await lib.finishRun(run.id, { report: fakeReport(1200), artefacts: [{ kind: 'glb', data: glb }], mesh: cubeMesh(), metrics: { f1: 91.5, cd: 0.01 } });
    expect(detail).toMatchObject({ status: 'succeeded', objectMs: 1200, quality: 91.5, schedule: { ss: 'FFcFcc', slat: 'FFFCcC' } });
    expect(detail.artefacts.map((a) => a.kind).sort()).toEqual(['glb', 'thumbnail']);
    const stored = detail.artefacts.find((a) => a.kind === 'glb')!;
    expect(stored).toMatchObject({ bytes: glb.length, sha256: sha256(glb) });
    expect((detail.report as { objectMs: number }).objectMs).toBe(1200);
    expect(detail.params.ssCacheStride).toBe(3);

    // The thumbnail shows the cube: opaque, shaded pixels in the middle, transparent corners.
    const { data, info } = await sharp(lib.thumbnail('run', run.id)!).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 64, height: 64, channels: 4 });
    const at = (x: number, y: number) => data[(y * 64 + x) * 4 + 3];
    expect(at(32, 32)).toBe(255);
    expect(at(0, 0)).toBe(0);
    expect(lib.verify({ hashes: true })).toEqual([]);
    await expect(lib.finishRun(run.id, { report: fakeReport(1), artefacts: [] })).rejects.toThrow(/already succeeded/);
  });

  it('draws the thumbnail from the GLB when no mesh is given', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'object.glb'), await cubeGlb());
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    const detail = await lib.finishRun(run.id, { report: fakeReport(500), artefacts: [{ kind: 'glb', path: path.join(dir, 'object.glb') }] });
    expect(detail.thumbnailId).not.toBeNull();
    const { data } = await sharp(lib.thumbnail('run', run.id)!).raw().toBuffer({ resolveWithObject: true });
    const opaque = data.filter((_, i) => i % 4 === 3 && data[i] === 255).length;
    expect(opaque).toBeGreaterThan(64 * 64 * 0.15);
  });

  it('links accelerated runs to the acceleration-off baseline on the same inputs and computes the speed-up', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const fast = lib.beginRun(runInput(image.id, [mask.id], 'fast-sam3d'));
    await lib.finishRun(fast.id, { report: fakeReport(1000), artefacts: [] });
    expect(lib.getRun(fast.id).speedup).toBeNull(); // no baseline yet
    const off = lib.beginRun(runInput(image.id, [mask.id], 'off'));
    await lib.finishRun(off.id, { report: fakeReport(2500, 'off'), artefacts: [] });
    expect(lib.getRun(fast.id)).toMatchObject({ baselineRunId: off.id, speedup: 2.5 });
    const max = lib.beginRun(runInput(image.id, [mask.id], 'max'));
    await lib.finishRun(max.id, { report: fakeReport(500), artefacts: [] });
    expect(lib.getRun(max.id)).toMatchObject({ baselineRunId: off.id, speedup: 5 });
    // Another seed is another input: no baseline.
    const other = lib.beginRun(runInput(image.id, [mask.id], 'max', 7));
    await lib.finishRun(other.id, { report: fakeReport(500), artefacts: [] });
    expect(lib.getRun(other.id).baselineRunId).toBeNull();
    // A shape-changing sampler setting is another input too: a fit-to-mask run pairs only with a
    // fit-to-mask baseline (against a plain one the fit would count as acceleration error).
    const withSetting = (method: 'off' | 'fast-sam3d', p: Record<string, unknown>) => {
      const r = runInput(image.id, [mask.id], method);
      return lib.beginRun({ ...r, params: { ...r.params, ...p } as typeof r.params });
    };
    const fitted = withSetting('fast-sam3d', { fitToMask: true });
    await lib.finishRun(fitted.id, { report: fakeReport(400), artefacts: [] });
    expect(lib.getRun(fitted.id).baselineRunId).toBeNull();
    const fittedOff = withSetting('off', { fitToMask: true });
    await lib.finishRun(fittedOff.id, { report: fakeReport(1200, 'off'), artefacts: [] });
    expect(lib.getRun(fitted.id)).toMatchObject({ baselineRunId: fittedOff.id, speedup: 3 });
    expect(lib.getRun(max.id).baselineRunId).toBe(off.id); // the plain runs keep their plain baseline
    const threeSamples = withSetting('fast-sam3d', { ssSamples: 3 });
    await lib.finishRun(threeSamples.id, { report: fakeReport(400), artefacts: [] });
    expect(lib.getRun(threeSamples.id).baselineRunId).toBeNull();
    // Colour from photo changes no shape but every colour: a grey baseline would count it as colour error.
    const coloured = withSetting('fast-sam3d', { colourFromPhoto: true });
    await lib.finishRun(coloured.id, { report: fakeReport(400), artefacts: [] });
    expect(lib.getRun(coloured.id).baselineRunId).toBeNull();
    // Steps and CFG: a finished run is keyed by the values its report resolved, so 12 SS steps pair with
    // a baseline of 12 and not with one of 25 (the steps would count as acceleration).
    const sampler = (ssSteps: number) => ({ seed: 42, ssSteps, ssCfgStrength: 4, slatSteps: 6, slatCfgStrength: 1 });
    const off12 = lib.beginRun(runInput(image.id, [mask.id], 'off'));
    await lib.finishRun(off12.id, { report: fakeReport(3000, 'off', sampler(12)), artefacts: [] });
    const fast12 = lib.beginRun(runInput(image.id, [mask.id], 'fast-sam3d'));
    await lib.finishRun(fast12.id, { report: fakeReport(1000, 'fast-sam3d', sampler(12)), artefacts: [] });
    expect(lib.getRun(fast12.id)).toMatchObject({ baselineRunId: off12.id, speedup: 3 });
    const fast25 = lib.beginRun(runInput(image.id, [mask.id], 'fast-sam3d'));
    await lib.finishRun(fast25.id, { report: fakeReport(1000, 'fast-sam3d', sampler(25)), artefacts: [] });
    expect(lib.getRun(fast25.id).baselineRunId).toBeNull();
    // A baseline that left the steps to the pack and a run that set them to the same value begin with
    // other keys, and pair once both have finished with the values resolved.
    const { ssSteps: _ss, slatSteps: _sl, ...packSteps } = runInput(image.id, [mask.id], 'off').params;
    const off20 = lib.beginRun({ ...runInput(image.id, [mask.id], 'off'), params: packSteps });
    const fastInput = runInput(image.id, [mask.id], 'fast-sam3d');
    const fast20 = lib.beginRun({ ...fastInput, params: { ...fastInput.params, ssSteps: 20 } });
    const key = (id: string) => lib.db.prepare(`SELECT input_key FROM runs WHERE id = ?`).pluck().get(id) as string;
    expect(key(off20.id)).not.toBe(key(fast20.id));
    await lib.finishRun(fast20.id, { report: fakeReport(500, 'fast-sam3d', sampler(20)), artefacts: [] });
    await lib.finishRun(off20.id, { report: fakeReport(2000, 'off', sampler(20)), artefacts: [] });
    expect(key(off20.id)).toBe(key(fast20.id));
    expect(lib.getRun(fast20.id)).toMatchObject({ baselineRunId: off20.id, speedup: 4 }); // adopted when the baseline finished
    for (const r of [fitted, fittedOff, threeSamples, coloured, off12, fast12, fast25, off20, fast20]) lib.trashRun(r.id); // out of the listing below

    const bySpeed = lib.listRuns({ sort: 'speedup' }).map((r) => r.id);
    expect(bySpeed).toEqual([max.id, fast.id, off.id, other.id]);
    const elsewhere = await projectWithMask(lib);
    lib.beginRun(runInput(elsewhere.image.id, [elsewhere.mask.id]));
    expect(lib.listRuns({ imageId: image.id, sort: 'speedup' }).map((r) => r.id)).toEqual(bySpeed);
    expect(lib.listRuns({ status: 'running' }).map((r) => r.imageId)).toEqual([elsewhere.image.id]);
  });

  it('measures an accelerated run against its baseline GLB when no metrics are given', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const off = lib.beginRun(runInput(image.id, [mask.id], 'off'));
    await lib.finishRun(off.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    // A result shifted by 10 % of the object's size: clearly worse than the baseline, not unrelated.
    const moved = cubeMesh();
    for (let i = 0; i < moved.positions.length; i += 3) moved.positions[i] += 0.08;
    const fast = lib.beginRun(runInput(image.id, [mask.id]));
    const done = await lib.finishRun(fast.id, { report: fakeReport(800), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: moved });
    expect(done.quality).toBeGreaterThan(20);
    expect(done.quality).toBeLessThan(90);
    expect(done.metrics!.cd).toBeGreaterThan(0.02);
  });

  it('records failures and cancellations with their reason', () => {
    const lib = openLib();
    return projectWithMask(lib).then(({ image, mask }) => {
      const a = lib.beginRun({ ...runInput(image.id, [mask.id]), status: 'queued' });
      expect(lib.startRun(a.id).status).toBe('running');
      expect(lib.failRun(a.id, 'ONNX session failed: out of memory')).toMatchObject({ status: 'failed', error: 'ONNX session failed: out of memory' });
      const b = lib.beginRun(runInput(image.id, [mask.id]));
      expect(lib.failRun(b.id, 'Cancelled by the user', { cancelled: true }).status).toBe('cancelled');
      expect(() => lib.failRun(b.id, 'again')).toThrow(/already cancelled/);
    });
  });

  it('refuses a mask of another image and an unknown method', async () => {
    const lib = openLib();
    const { image } = await projectWithMask(lib);
    const other = await projectWithMask(lib);
    expect(() => lib.beginRun(runInput(image.id, [other.mask.id]))).toThrow(/belongs to another image/);
    expect(() => lib.beginRun({ ...runInput(image.id, [other.mask.id]), method: 'warp' as never })).toThrow(/Unknown method "warp"/);
  });

  it('re-opens a run with its exact parameters and duplicates it with changes as a job request', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const input = runInput(image.id, [mask.id], 'fast-sam3d', 1234);
    const run = lib.beginRun(input);
    await lib.finishRun(run.id, { report: fakeReport(900), artefacts: [] });
    const re = lib.reopenRun(run.id);
    expect(re).toMatchObject({ imageId: image.id, maskIds: [mask.id], method: 'fast-sam3d', seed: 1234, packId: 'test-tiny' });
    expect(re.params).toEqual(input.params);

    const same = lib.duplicateRun(run.id, { params: { ssCacheStride: 4 } });
    expect(same).toMatchObject({ kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'test-tiny', method: 'fast-sam3d' });
    expect(same.params).toEqual({ ...input.params, ssCacheStride: 4 });
    const other = lib.duplicateRun(run.id, { method: 'max' });
    expect(other.params).toEqual({ seed: 1234, ssSamples: 1, fitToMask: false, colourFromPhoto: false, ssSteps: 6, slatSteps: 6 }); // the sampler settings carry over
  });

  it('keeps the fully resolved parameters of the report (pack sampler values filled in)', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const { ssSteps: _s, slatSteps: _l, ...partial } = runInput(image.id, [mask.id]).params;
    const run = lib.beginRun({ ...runInput(image.id, [mask.id]), params: partial });
    const resolved = { ...partial, ssSteps: 25, ssCfgStrength: 7, slatSteps: 25, slatCfgStrength: 1 };
    await lib.finishRun(run.id, { report: fakeReport(100, 'fast-sam3d', resolved), artefacts: [] });
    expect(lib.reopenRun(run.id).params).toEqual(resolved);
  });
});

describe('grid, search, tags, trash', () => {
  it('searches by name and tag, sorts by date and quality, renames, trashes and empties the trash', async () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const { image, mask } = await projectWithMask(lib);
    const runs: string[] = [];
    for (const [f1, ms] of [[80, 1000], [95, 1500], [60, 700]]) {
      const r = lib.beginRun(runInput(image.id, [mask.id]));
      await lib.finishRun(r.id, { report: fakeReport(ms), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh(), metrics: { f1 } });
      runs.push(r.id);
    }
    expect(lib.listRuns().map((r) => r.id)).toEqual([...runs].reverse());
    expect(lib.listRuns({ sort: 'quality' }).map((r) => r.quality)).toEqual([95, 80, 60]);
    expect(lib.listRuns({ sort: 'quality', order: 'asc' }).map((r) => r.quality)).toEqual([60, 80, 95]);

    lib.renameRun(runs[0], 'Best chair');
    lib.setRunTags(runs[1], ['hero', ' Hero ', 'wood']);
    expect(lib.getRun(runs[1]).tags).toEqual(['hero', 'wood']);
    expect(lib.listRuns({ query: 'best' }).map((r) => r.id)).toEqual([runs[0]]);
    expect(lib.listRuns({ query: 'WOOD' }).map((r) => r.id)).toEqual([runs[1]]);
    expect(lib.listRuns({ tag: 'hero' }).map((r) => r.id)).toEqual([runs[1]]);
    expect(lib.listRuns({ query: '100%' })).toEqual([]); // LIKE wildcards are literal

    const project = lib.renameProject(image.projectId, 'Chairs');
    lib.setProjectTags(project.id, ['furniture']);
    expect(lib.listProjects({ query: 'furn' }).map((p) => p.id)).toEqual([project.id]);
    expect(lib.listProjects({ tag: 'furniture' })[0]).toMatchObject({ name: 'Chairs', runs: 3, cover: { kind: 'run', id: runs[2] } });

    // Trash: hidden from lists, files kept until the trash is emptied.
    const files = lib.getRun(runs[0]).artefacts.map((a) => a.path);
    lib.trashRun(runs[0]);
    expect(lib.listRuns().map((r) => r.id)).not.toContain(runs[0]);
    expect(lib.listTrash().runs.map((r) => r.id)).toEqual([runs[0]]);
    expect(files.every((f) => fs.existsSync(f))).toBe(true);
    expect(lib.restoreRun(runs[0]).trashed).toBe(false);
    lib.trashRun(runs[0]);
    const emptied = lib.emptyTrash();
    expect(emptied).toMatchObject({ runs: 1, images: 0, projects: 0, filesRemoved: 2 });
    expect(files.some((f) => fs.existsSync(f))).toBe(false);
    expect(() => lib.getRun(runs[0])).toThrow(LibraryError);

    // A project with a run in progress is not deleted under it.
    const active = lib.beginRun(runInput(image.id, [mask.id]));
    expect(() => lib.trashProject(project.id)).toThrow(/1 run still in progress; cancel it/);
    expect(() => lib.trashImage(image.id)).toThrow(/still in progress/);
    lib.failRun(active.id, 'Cancelled', { cancelled: true });

    // Trashing the project hides its runs; emptying removes every file of it.
    lib.trashProject(project.id);
    expect(lib.listProjects()).toEqual([]);
    expect(lib.listRuns()).toEqual([]);
    expect(lib.emptyTrash()).toMatchObject({ projects: 1 });
    expect(lib.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
    const left = fs.readdirSync(path.join(dir, 'assets'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(left).toEqual([]);
    expect(lib.verify({ hashes: true })).toEqual([]);
  });
});

describe('a photo in the trash takes its results with it', () => {
  it('the card counts neither, its cover is not one of them, and the export carries neither and says so', async () => {
    const lib = openLib();
    const { image, mask } = await projectWithMask(lib);
    const { image: other } = await lib.importImage({ projectId: image.projectId, name: 'stool.png', data: await photoPng(64, 48, 9) });
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = lib.beginRun(runInput(image.id, [mask.id]));
      await lib.finishRun(r.id, { report: fakeReport(1000), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
      runs.push(r.id);
    }
    expect(lib.getProject(image.projectId)).toMatchObject({ images: 2, runs: 3, cover: { kind: 'run', id: runs[2] } });

    lib.trashImage(image.id);
    // As the window lists them: no result of the trashed photo among the project's.
    expect(lib.listRuns({ projectId: image.projectId })).toEqual([]);
    const card = lib.getProject(image.projectId);
    expect(card).toMatchObject({ images: 1, runs: 0, cover: { kind: 'image', id: other.id } });
    expect(lib.listProjects()[0]).toEqual(card);

    const res = await exportProject(lib, image.projectId, path.join(tempDir(), 'chair.zip'));
    expect(res).toMatchObject({ images: card.images, runs: card.runs, left: { trashedImages: 1, trashedRuns: 3, unfinishedRuns: 0 } });
    expect(leftOutNote(res)).toBe('1 photo and 3 results in the trash were not exported; restore them first to include them');

    lib.restoreImage(image.id);
    expect(lib.getProject(image.projectId)).toMatchObject({ images: 2, runs: 3, cover: { kind: 'run', id: runs[2] } });
    const all = await exportProject(lib, image.projectId, path.join(tempDir(), 'chair.zip'));
    expect(all).toMatchObject({ images: 2, runs: 3, left: { trashedImages: 0, trashedRuns: 0 } });
    expect(leftOutNote(all)).toBe('');
  });
});

describe('concurrent reading (WAL)', () => {
  it('a second connection reads committed runs while a run is being written, never a half-written one', async () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const { image, mask } = await projectWithMask(lib);
    const reader = Library.open(dir, { readonly: true });
    open.push(reader);
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    expect(reader.getRun(run.id).status).toBe('running');

    // Hold a write transaction open (as finishRun does while it commits) and read from the other connection.
    const writeTx = lib.db.transaction(() => {
      lib.db.prepare(`UPDATE runs SET status = 'succeeded', object_ms = 5 WHERE id = ?`).run(run.id);
      const seen = reader.getRun(run.id);
      expect(seen.status).toBe('running'); // the reader sees the last committed state, without waiting
      expect(reader.listRuns().map((r) => r.id)).toEqual([run.id]);
      throw new Error('roll back');
    });
    expect(() => writeTx()).toThrow('roll back');

    await lib.finishRun(run.id, { report: fakeReport(321), artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    const done = reader.getRun(run.id);
    expect(done).toMatchObject({ status: 'succeeded', objectMs: 321 });
    expect(done.artefacts.every((a) => fs.existsSync(a.path))).toBe(true);
    // A read-only connection cannot write by accident.
    expect(() => reader.db.prepare('DELETE FROM runs').run()).toThrow(/readonly/);
    const raw = new Database(path.join(dir, 'library.sqlite'), { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM artefacts').pluck().get()).toBe(2);
    raw.close();
  });
});
