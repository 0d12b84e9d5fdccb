/**
 * Project archives as the window uses them: exported without a destination into the exports folder under
 * a fresh name, imported from a picked file's bytes (through the real API dispatcher), an existing zip
 * replaced only when asked, a project too big for a zip said before anything is read, and an archive whose
 * files have the right hashes but the wrong contents (a page renamed .png, a mask of another size, a
 * mesh that is not one) refused with the library unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { Library, exportProject, importProject } from '../../src-main/library';
import { listFilesRecursive, sha256 } from '../../src-main/library/files';
import { cubeGlb, cubeMesh, fakeReport, greyMaskPng, libraryApiOpener, photoPng, runInput, tempDir } from './fixtures';

const setup = libraryApiOpener();
const libs: Library[] = [];
afterEach(() => {
  for (const l of libs.splice(0)) l.close();
});

function open(): Library {
  const lib = Library.open(tempDir(), { thumbnailSize: 32 });
  libs.push(lib);
  return lib;
}

async function project(lib = open()) {
  const { image } = await lib.importImage({ name: 'mug.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'mug', png: await greyMaskPng(64, 48, 500) });
  const run = lib.beginRun(runInput(image.id, [mask.id], 'off'));
  await lib.finishRun(run.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
  return { lib, projectId: image.projectId };
}

function snapshot(lib: Library) {
  const count = (t: string) => lib.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
  return { rows: ['projects', 'images', 'masks', 'runs', 'artefacts'].map(count), files: listFilesRecursive(lib.assetsDir).sort() };
}

describe('export for sharing', () => {
  it('writes to <data>/exports/projects/<name>.zip without a destination, never over an earlier export', async () => {
    const { lib, projectId } = await project();
    lib.renameProject(projectId, 'Kitchen mug: final?');
    const first = await exportProject(lib, projectId, undefined);
    const second = await exportProject(lib, projectId, undefined);
    const dir = path.join(lib.dataDir, 'exports', 'projects');
    expect([first.path, second.path]).toEqual([path.join(dir, 'Kitchen_mug_final_.zip'), path.join(dir, 'Kitchen_mug_final_-2.zip')]);
    expect([first.replaced, second.replaced]).toEqual([false, false]);
    expect(fs.readFileSync(first.path).subarray(0, 2).toString()).toBe('PK');
    const copy = await importProject(open(), second.path);
    expect(copy).toMatchObject({ name: 'Kitchen mug: final?', images: 1, runs: 1 });
  });

  it('replaces an existing zip only when asked, and says it did', async () => {
    const { lib, projectId } = await project();
    const dest = path.join(tempDir(), 'mug.zip');
    fs.writeFileSync(dest, 'an earlier file');
    await expect(exportProject(lib, projectId, dest, 'zip')).rejects.toThrow(expect.objectContaining({
      code: 'CONFLICT', message: expect.stringMatching(/a file of that name is already there\. Choose another name, or confirm that it may be replaced; nothing was written/),
    }));
    expect(fs.readFileSync(dest, 'utf8')).toBe('an earlier file');
    const res = await exportProject(lib, projectId, dest, 'zip', { replace: true });
    expect(res.replaced).toBe(true);
    expect(fs.readFileSync(dest).subarray(0, 2).toString()).toBe('PK');
  });

  it('says a project too big for a zip before reading its files, and the folder export still works', async () => {
    const { lib, projectId } = await project();
    lib.db.prepare(`UPDATE artefacts SET bytes = ?`).run(5 * 1024 ** 3);
    const dest = path.join(tempDir(), 'big.zip');
    await expect(exportProject(lib, projectId, dest, 'zip')).rejects.toThrow(/is too big for a zip \(6 files, 10\.0 GiB; .*\)\. Export it as a folder instead; nothing was written/);
    expect(fs.existsSync(dest)).toBe(false);
    expect((await exportProject(lib, projectId, path.join(tempDir(), 'big-folder'), 'folder')).files).toBe(6);
  });
});

describe('import from a picked file (projects.importData through the API)', () => {
  it('imports a zip from its bytes and answers with the new project and its counts', async () => {
    const { lib, projectId } = await project();
    const zip = fs.readFileSync((await exportProject(lib, projectId, undefined)).path);
    const { lib: target, call } = setup();
    const before = snapshot(target);
    expect(await call('projects.importData', { name: 'mug.zip', data: zip.toString('base64') })).toMatchObject({ name: 'mug', images: 1, runs: 1 });
    expect(snapshot(target).rows).toEqual(before.rows.map((n, i) => (n as number) + [1, 1, 1, 1, 2][i]));

    const notZip = await call('projects.importData', { name: 'notes.txt', data: Buffer.from('hello').toString('base64') }).catch((e: { api: unknown }) => e.api);
    expect(notZip).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/"notes\.txt" is not a zip file; choose the \.zip that "Export project" wrote\. The library is unchanged/) });
  });
});

describe('import checks the contents, not only the hashes', () => {
  /** The exported archive, with `rel`'s bytes swapped for `data` and every hash and size that names it updated. */
  async function tampered(swap: (m: Manifest, entries: Record<string, Uint8Array>) => { rel: string; data: Uint8Array }) {
    const { lib, projectId } = await project();
    const entries: Record<string, Uint8Array> = unzipSync(fs.readFileSync((await exportProject(lib, projectId, undefined)).path));
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json'])) as Manifest;
    const { rel, data } = swap(manifest, entries);
    entries[rel] = data;
    for (const row of [...manifest.files, ...manifest.images, ...manifest.masks, ...manifest.artefacts]) {
      if (('path' in row ? row.path : row.file) === rel) Object.assign(row, { sha256: sha256(data), bytes: data.length });
    }
    const file = path.join(tempDir(), 'tampered.zip');
    fs.writeFileSync(file, zipSync({ ...entries, 'manifest.json': strToU8(JSON.stringify(manifest)) }));
    const target = open();
    const before = snapshot(target);
    const err = await importProject(target, file).then(() => null, (e: Error) => e);
    expect(snapshot(target)).toEqual(before);
    return err;
  }
  type Row = { file: string; sha256: string; bytes: number };
  interface Manifest {
    files: { path: string; sha256: string; bytes: number }[];
    images: (Row & { name: string; width: number; height: number })[];
    masks: Row[];
    artefacts: (Row & { kind: string })[];
  }

  it('refuses a page stored under a photo\'s name', async () => {
    const err = await tampered((m) => ({ rel: m.images[0].file, data: strToU8('<html><script>alert(1)</script></html>') }));
    expect(err?.message).toMatch(/the photo of image "mug.png" \(images\/.*\.png\) is not an image that can be read/);
  });

  it('refuses a photo whose size is not the manifest\'s', async () => {
    const err = await tampered((m, entries) => {
      m.images[0].width = 640;
      return { rel: m.images[0].file, data: entries[m.images[0].file] };
    });
    expect(err?.message).toMatch(/the photo of image "mug.png" is 64×48, the manifest says 640×48/);
  });

  it('refuses a mask of another size and an empty mask', async () => {
    const other = await greyMaskPng(32, 24, 100);
    expect((await tampered((m) => ({ rel: m.masks[0].file, data: other })))?.message).toMatch(/Mask "mug": it is 32×24 but image "mug.png" is 64×48 \(masks\/[0-9a-f-]+\.png\)\. The library is unchanged/);
    const empty = await greyMaskPng(64, 48, 0);
    expect((await tampered((m) => ({ rel: m.masks[0].file, data: empty })))?.message).toMatch(/Mask "mug" is empty \(it selects nothing\) \(masks\/[0-9a-f-]+\.png\)\. The library is unchanged/);
  });

  it('refuses a GLB that is not one', async () => {
    const err = await tampered((m) => ({ rel: m.artefacts.find((a) => a.kind === 'glb')!.file, data: strToU8('not a mesh') }));
    expect(err?.message).toMatch(/the glb file of run .* is not a GLB file/);
  });
});
