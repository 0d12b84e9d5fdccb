/**
 * Project export/import as a folder and as a zip, and the refusals: paths outside the archive, symlinks,
 * unlisted, missing, resized or altered files, broken references. A refused import leaves the library
 * exactly as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { Library, exportProject, importProject } from '../../src-main/library';
import { listFilesRecursive, sha256 } from '../../src-main/library/files';
import { cubeGlb, cubeMesh, fakeReport, greyMaskPng, photoPng, runInput, tempDir } from './fixtures';

const libs: Library[] = [];
afterEach(() => {
  for (const l of libs.splice(0)) l.close();
});

async function projectWithRuns() {
  const lib = Library.open(tempDir(), { thumbnailSize: 32 });
  libs.push(lib);
  const { image } = await lib.importImage({ name: 'mug.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'mug', png: await greyMaskPng(64, 48, 500) });
  const off = lib.beginRun(runInput(image.id, [mask.id], 'off'));
  await lib.finishRun(off.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
  const fast = lib.beginRun(runInput(image.id, [mask.id], 'fast-sam3d'));
  await lib.finishRun(fast.id, { report: fakeReport(800), artefacts: [{ kind: 'glb', data: await cubeGlb() }], metrics: { f1: 88 } });
  lib.setRunTags(fast.id, ['final']);
  lib.setProjectTags(image.projectId, ['kitchen']);
  return { lib, projectId: image.projectId, fast };
}

/** Everything that must not change when an import is refused. */
function snapshot(lib: Library) {
  const count = (t: string) => lib.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
  return { rows: ['projects', 'images', 'masks', 'runs', 'artefacts', 'run_tags'].map(count), files: listFilesRecursive(lib.assetsDir).sort() };
}

describe('project export and import', () => {
  for (const format of ['zip', 'folder'] as const) {
    it(`round-trips a project through a ${format} into another library`, async () => {
      const { lib, projectId, fast } = await projectWithRuns();
      const dest = path.join(tempDir(), format === 'zip' ? 'mug.zip' : 'mug-project');
      const res = await exportProject(lib, projectId, dest, format);
      expect(res.files).toBe(1 + 2 + 1 + 2 * 2); // manifest, image + its thumbnail, mask, 2 runs × (GLB + thumbnail)
      const other = Library.open(tempDir());
      libs.push(other);
      const imported = await importProject(other, dest);
      expect(imported).toMatchObject({ name: 'mug', tags: ['kitchen'] });
      expect(imported.id).not.toBe(projectId);
      const runs = other.listRuns({ projectId: imported.id, sort: 'speedup' });
      expect(runs.map((r) => [r.method, r.speedup, r.quality, r.tags])).toEqual([['fast-sam3d', 2.5, 88, ['final']], ['off', 1, null, []]]);
      const copy = other.getRun(runs[0].id);
      const original = lib.getRun(fast.id);
      expect(copy.params).toEqual(original.params);
      expect(copy.baselineRunId).toBe(runs[1].id);
      expect(copy.artefacts.map((a) => a.sha256).sort()).toEqual(original.artefacts.map((a) => a.sha256).sort());
      expect(other.verify({ hashes: true })).toEqual([]);
      // Importing twice gives two independent projects.
      await importProject(other, dest);
      expect(other.listProjects()).toHaveLength(2);
    });
  }

  it('keeps the masks fit to mask counted beside a run, under their new ids', async () => {
    const lib = Library.open(tempDir(), { thumbnailSize: 32 });
    libs.push(lib);
    const { image } = await lib.importImage({ name: 'mug.png', data: await photoPng() });
    const mug = await lib.saveMask({ imageId: image.id, name: 'mug', png: await greyMaskPng(64, 48, 500) });
    const cup = await lib.saveMask({ imageId: image.id, name: 'cup in front', png: await greyMaskPng(64, 48, 300) });
    const input = runInput(image.id, [mug.id], 'off');
    const run = lib.beginRun({ ...input, params: { ...input.params, fitToMask: true }, otherMaskIds: [cup.id, mug.id] });
    await lib.finishRun(run.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
    expect(lib.otherMaskIdsOf(run.id)).toEqual([cup.id]); // the run's own mask is not beside it
    const dest = path.join(tempDir(), 'mug.zip');
    await exportProject(lib, image.projectId, dest, 'zip');
    const other = Library.open(tempDir());
    libs.push(other);
    const imported = await importProject(other, dest);
    const [copy] = other.listRuns({ projectId: imported.id });
    const copiedCup = other.listMasks(copy.imageId).find((m) => m.name === 'cup in front')!;
    expect(other.otherMaskIdsOf(copy.id)).toEqual([copiedCup.id]);
    expect(other.duplicateRun(copy.id)).toMatchObject({ maskIds: copy.maskIds, otherMaskIds: [copiedCup.id] });
  });

  it('refuses an existing non-empty folder as an export target', async () => {
    const { lib, projectId } = await projectWithRuns();
    const dest = tempDir();
    fs.writeFileSync(path.join(dest, 'keep.txt'), 'mine');
    await expect(exportProject(lib, projectId, dest, 'folder')).rejects.toThrow(/not empty/);
    expect(fs.readdirSync(dest)).toEqual(['keep.txt']);
  });

  it('says what is wrong with a destination that cannot be written (a user error, not an internal one)', async () => {
    const { lib, projectId } = await projectWithRuns();
    const dest = tempDir();
    fs.mkdirSync(path.join(dest, 'taken.zip'));
    fs.writeFileSync(path.join(dest, 'a-file'), 'x');
    for (const [target, why] of [
      [path.join(dest, 'taken.zip'), /a folder of that name is already there/],
      [path.join(dest, 'a-file', 'project.zip'), /a file is in the way/],
    ] as const) {
      let err: unknown;
      try { await exportProject(lib, projectId, target, 'zip'); } catch (e) { err = e; }
      expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(why) });
    }
    expect(fs.readdirSync(path.join(dest, 'taken.zip'))).toEqual([]);
  });

  for (const format of ['zip', 'folder'] as const) {
    it(`a ${format} export cancelled while it writes (the CLI's Ctrl-C) removes its temp and writes nothing`, async () => {
      const { lib, projectId } = await projectWithRuns();
      const dir = tempDir();
      const ac = new AbortController();
      let temp = '';
      const cancelled = exportProject(lib, projectId, path.join(dir, format === 'zip' ? 'p.zip' : 'p'), format, {
        signal: ac.signal,
        // Aborted once the writing has begun: the awaited writes let the abort in before the rename.
        onTemp: (tmp) => {
          temp = tmp;
          setImmediate(() => ac.abort());
        },
      });
      await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
      expect(path.basename(temp)).toMatch(/^p(\.zip)?\.partial-[0-9a-f]{12}$/);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }

  it('removes the temps a killed export left beside its target (an hour old, named as it names them), and nothing else', async () => {
    const { lib, projectId } = await projectWithRuns();
    const dir = tempDir();
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    const left = ['p.zip.partial-0123456789ab', 'p.zip.partial-61f33725'];
    for (const name of left) fs.mkdirSync(path.join(dir, name));
    const kept = ['p.zip.partial-fresh0000000', 'p.zip.partial-abcdef012345', 'q.zip.partial-0123456789ab', 'notes.txt'];
    for (const name of kept) fs.writeFileSync(path.join(dir, name), 'x');
    for (const name of [...left, ...kept.filter((n) => n !== 'p.zip.partial-abcdef012345')]) fs.utimesSync(path.join(dir, name), hourAgo, hourAgo);
    await exportProject(lib, projectId, path.join(dir, 'p.zip'), 'zip');
    // The second name is fresh: an export to the same place under way in another process.
    expect(fs.readdirSync(dir).sort()).toEqual([...kept, 'p.zip'].sort());
  });
});

describe('import refusals leave the library unchanged', () => {
  async function exported() {
    const { lib, projectId } = await projectWithRuns();
    const zip = path.join(tempDir(), 'p.zip');
    await exportProject(lib, projectId, zip, 'zip');
    const entries = unzipSync(fs.readFileSync(zip));
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
    const target = Library.open(tempDir());
    libs.push(target);
    await target.importImage({ name: 'existing.png', data: await photoPng() });
    return { entries, manifest, target };
  }

  function writeZip(entries: Record<string, Uint8Array>, manifest: unknown): string {
    const file = path.join(tempDir(), 'bad.zip');
    fs.writeFileSync(file, zipSync({ ...entries, 'manifest.json': strToU8(JSON.stringify(manifest)) }));
    return file;
  }

  const cases: [string, (e: Record<string, Uint8Array>, m: any) => void, RegExp][] = [
    ['an altered file', (e, m) => { const f = m.files[0].path; e[f] = e[f].slice(); e[f][10] ^= 0xff; }, /does not match its sha256/],
    ['a file of another size', (e, m) => { const f = m.files[0].path; e[f] = e[f].subarray(0, 10); }, /has 10 bytes, the manifest says/],
    ['a missing file', (e, m) => { delete e[m.files[1].path]; }, /listed in the manifest but missing/],
    ['an unlisted file', (e) => { e['extra/notes.txt'] = strToU8('hi'); }, /"extra\/notes.txt" is not listed/],
    ['a path with ..', (e, m) => { m.files[0].path = '../outside.png'; }, /leaves the archive folder/],
    ['an absolute path', (e, m) => { m.files[0].path = '/etc/passwd'; }, /is absolute/],
    ['a zip entry escaping the folder', (e) => { e['../../evil.sh'] = strToU8('rm -rf'); }, /leaves the archive folder/],
    ['a row pointing at a file outside the list', (e, m) => { m.artefacts[0].file = 'runs/x/y.glb'; }, /not in the archive/],
    ['a run with a foreign mask', (e, m) => { m.runs[0].maskIds = ['nope']; }, /mask that is not in the archive/],
    ['a run counting a foreign mask beside it', (e, m) => { m.runs[0].otherMaskIds = ['nope']; }, /counts a mask beside it that is not in the archive/],
    ['a manifest of something else', (e, m) => { m.format = 'other-app'; }, /not a Fast-SAM3D Studio project manifest/],
  ];
  for (const [what, tamper, message] of cases) {
    it(`refuses ${what}`, async () => {
      const { entries, manifest, target } = await exported();
      const before = snapshot(target);
      tamper(entries, manifest);
      const zip = writeZip(entries, manifest);
      await expect(importProject(target, zip)).rejects.toThrow(message);
      await expect(importProject(target, zip)).rejects.toThrow(/The library is unchanged/);
      expect(snapshot(target)).toEqual(before);
    });
  }

  it('refuses a folder holding a symbolic link, even one pointing inside', async () => {
    const { entries, target } = await exported();
    const folder = tempDir();
    for (const [rel, data] of Object.entries(entries)) {
      fs.mkdirSync(path.join(folder, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(folder, rel), data);
    }
    const before = snapshot(target);
    expect((await importProject(target, folder)).name).toBe('mug'); // the clean folder imports
    const afterGood = snapshot(target);
    fs.symlinkSync('/etc/hostname', path.join(folder, 'images', 'link.png'));
    await expect(importProject(target, folder)).rejects.toThrow(/symbolic link/);
    expect(snapshot(target)).toEqual(afterGood);
    expect(afterGood).not.toEqual(before);
  });

  it('checks hashes of the manifest rows against the files', async () => {
    const { entries, manifest, target } = await exported();
    const before = snapshot(target);
    manifest.images[0].sha256 = sha256(strToU8('other'));
    await expect(importProject(target, writeZip(entries, manifest))).rejects.toThrow(/image "mug.png" does not match the file/);
    expect(snapshot(target)).toEqual(before);
  });

  it('does not carry a baseline link between runs of other steps, nor what was measured against it', async () => {
    const { entries, manifest, target } = await exported();
    const fast = manifest.runs.find((r: { method: string }) => r.method === 'fast-sam3d');
    expect(fast.baselineRunId).not.toBeNull();
    fast.params.ssSteps = 12; // its baseline ran 6
    const imported = await importProject(target, writeZip(entries, manifest));
    const runs = target.listRuns({ projectId: imported.id });
    expect(runs.find((r) => r.method === 'fast-sam3d')).toMatchObject({ baselineRunId: null, speedup: null, quality: null });
    expect(runs.find((r) => r.method === 'off')).toMatchObject({ speedup: 1 });
  });
});
