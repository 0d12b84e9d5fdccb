/**
 * Project export/import under abuse: destinations that would damage the library or cannot hold files,
 * library files gone from disk, sources that are not files, archives that make one file into many rows,
 * "photos" with a page's extension, tags that break the tag lists, newer formats, damaged zips and zip
 * bombs. Every refused import leaves the library as it was; every refused export leaves nothing behind.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { Library, exportProject, importProject } from '../../src-main/library';
import { listFilesRecursive } from '../../src-main/library/files';
import { cubeGlb, cubeMesh, fakeReport, greyMaskPng, photoPng, runInput, tempDir } from './fixtures';

const libs: Library[] = [];
afterEach(() => {
  for (const l of libs.splice(0)) l.close();
});

function open(dir = tempDir()): Library {
  const lib = Library.open(dir, { thumbnailSize: 32 });
  libs.push(lib);
  return lib;
}

async function project() {
  const lib = open();
  const { image } = await lib.importImage({ name: 'mug.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'mug', png: await greyMaskPng(64, 48, 500) });
  const run = lib.beginRun(runInput(image.id, [mask.id], 'off'));
  await lib.finishRun(run.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
  return { lib, projectId: image.projectId, imageId: image.id, maskId: mask.id, runId: run.id };
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

function snapshot(lib: Library) {
  const count = (t: string) => lib.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
  return { rows: ['projects', 'project_tags', 'images', 'masks', 'runs', 'run_masks', 'run_tags', 'artefacts'].map(count), files: listFilesRecursive(lib.assetsDir).sort() };
}

/** The exported zip's entries and manifest, and a second library holding one photo already. */
async function exported() {
  const { lib, projectId } = await project();
  const zip = path.join(tempDir(), 'p.zip');
  await exportProject(lib, projectId, zip, 'zip');
  const entries = unzipSync(fs.readFileSync(zip));
  const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
  const target = open();
  await target.importImage({ name: 'existing.png', data: await photoPng() });
  return { entries, manifest, target };
}

function writeZip(entries: Record<string, Uint8Array>, manifest: unknown): string {
  const file = path.join(tempDir(), 'tampered.zip');
  fs.writeFileSync(file, zipSync({ ...entries, 'manifest.json': strToU8(JSON.stringify(manifest)) }));
  return file;
}

describe('export destinations', () => {
  it('refuses to write into the library data folder (the database, the asset store), but takes its exports folder', async () => {
    const { lib, projectId } = await project();
    const dbBefore = fs.readFileSync(lib.dbPath);
    for (const [dest, format] of [
      [lib.dbPath, 'zip'],
      [path.join(lib.assetsDir, 'images', 'p.zip'), 'zip'],
      [path.join(lib.dataDir, 'project-copy'), 'folder'],
    ] as const) {
      const err = await rejection(exportProject(lib, projectId, dest, format));
      expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/inside the library's data folder.*Choose a place outside it/) });
      expect(fs.existsSync(dest) && dest !== lib.dbPath).toBe(false);
    }
    expect(fs.readFileSync(lib.dbPath).equals(dbBefore)).toBe(true);
    expect(lib.verify({ hashes: true })).toEqual([]);
    // A symlink to the data folder is the data folder.
    const link = path.join(tempDir(), 'data-link');
    fs.symlinkSync(lib.dataDir, link);
    expect((await rejection(exportProject(lib, projectId, path.join(link, 'library.sqlite'), 'zip'))).message).toMatch(/inside the library's data folder/);
    // The exports folder (where the browser host offers downloads) is fine.
    const ok = await exportProject(lib, projectId, path.join(lib.dataDir, 'exports', 'mug.zip'), 'zip');
    expect((await importProject(open(), ok.path)).name).toBe('mug');
  });

  it.runIf(process.platform === 'linux')('says a place that cannot hold files (under /proc) is the problem, and leaves nothing', async () => {
    const { lib, projectId } = await project();
    for (const format of ['zip', 'folder'] as const) {
      const dest = `/proc/self/fs3d-export-${format}`;
      expect(await rejection(exportProject(lib, projectId, dest, format))).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/files cannot be created there\. Choose another place/) });
    }
  });

  it('names the item whose file is gone from disk and what to do, and writes no archive', async () => {
    const { lib, projectId, runId } = await project();
    const glb = lib.getRun(runId).artefacts.find((a) => a.kind === 'glb')!;
    fs.rmSync(glb.path);
    const dir = tempDir();
    for (const format of ['zip', 'folder'] as const) {
      const err = await rejection(exportProject(lib, projectId, path.join(dir, `out-${format}`), format));
      expect(err).toMatchObject({ code: 'IO', message: expect.stringMatching(/the file of run "mug · off" .* is missing .*Put the file back, or move run "mug · off" to the trash/) });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('leaves out trashed images and runs and runs still in progress', async () => {
    const { lib, projectId, imageId, maskId, runId } = await project();
    const { image: other } = await lib.importImage({ projectId, name: 'other.png', data: await photoPng(64, 48, 7) });
    lib.trashImage(other.id);
    lib.trashRun(runId);
    lib.startRun(lib.beginRun(runInput(imageId, [maskId], 'fast-sam3d')).id);
    const dest = path.join(tempDir(), 'p.zip');
    await exportProject(lib, projectId, dest, 'zip');
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(fs.readFileSync(dest))['manifest.json']));
    expect([manifest.images.length, manifest.runs.length, manifest.artefacts.length]).toEqual([1, 0, 0]);
    const copy = await importProject(open(), dest);
    expect(copy.name).toBe('mug');
  });
});

describe('import refusals', () => {
  it.runIf(process.platform !== 'win32')('refuses a source that is not a file or a folder (a socket) instead of reading it', async () => {
    const target = open();
    const sock = path.join(tempDir(), 'project.zip');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      const before = snapshot(target);
      expect(await rejection(importProject(target, sock))).toMatchObject({ code: 'BAD_ARCHIVE', message: expect.stringMatching(/is not a file or a folder; choose the exported zip or folder/) });
      expect(snapshot(target)).toEqual(before);
    } finally {
      server.close();
    }
  });

  it('refuses one archive file used by many rows (a small archive that would fill the disk)', async () => {
    const { entries, manifest, target } = await exported();
    const before = snapshot(target);
    manifest.images.push(...Array.from({ length: 20 }, (_, n) => ({ ...manifest.images[0], id: `copy-${n}`, thumb: null })));
    const err = await rejection(importProject(target, writeZip(entries, manifest)));
    expect(err).toMatchObject({ code: 'BAD_ARCHIVE', message: expect.stringMatching(/which another row already uses.*The library is unchanged/) });
    expect(snapshot(target)).toEqual(before);
  });

  it('refuses a "photo" that is a page (.html), and stores artefacts under their kind\'s extension', async () => {
    const { entries, manifest, target } = await exported();
    const before = snapshot(target);
    const rename = (from: string, to: string) => {
      entries[to] = entries[from];
      delete entries[from];
      manifest.files.find((f: { path: string }) => f.path === from).path = to;
    };
    const image = manifest.images[0];
    const page = image.file.replace(/\.png$/, '.html');
    rename(image.file, page);
    image.file = page;
    expect(await rejection(importProject(target, writeZip(entries, manifest)))).toMatchObject({ code: 'BAD_ARCHIVE', message: expect.stringMatching(/is ".*\.html", not a PNG, JPEG, WebP or TIFF file/) });
    expect(snapshot(target)).toEqual(before);

    rename(page, image.file = page.replace(/\.html$/, '.PNG'));
    const glb = manifest.artefacts.find((a: { kind: string }) => a.kind === 'glb');
    rename(glb.file, glb.file = glb.file.replace(/\.glb$/, '.svg'));
    await importProject(target, writeZip(entries, manifest));
    const exts = new Set(listFilesRecursive(target.assetsDir).map((f) => path.extname(f)));
    expect([...exts].sort()).toEqual(['.glb', '.png']);
    expect(target.verify({ hashes: true })).toEqual([]);
  });

  it('keeps tags as the library does: tidied, no empty ones, no duplicates, none split in two', async () => {
    const { entries, manifest, target } = await exported();
    manifest.project.tags = ['', '   ', 'kitchen', 'Kitchen', 'a\u001fb', ' wood '];
    manifest.runs[0].tags = ['x\u001fy', 'x y', ''];
    const copy = await importProject(target, writeZip(entries, manifest));
    expect(copy.tags).toEqual(['a b', 'kitchen', 'wood']);
    expect(target.listRuns({ projectId: copy.id }).map((r) => r.tags)).toEqual([['x y']]);
  });

  it('says an archive from a newer version needs an app update', async () => {
    const { entries, manifest, target } = await exported();
    const before = snapshot(target);
    manifest.formatVersion = 2;
    expect((await rejection(importProject(target, writeZip(entries, manifest)))).message).toMatch(/written by a newer version of Fast-SAM3D Studio \(project format 2.*Update the app/);
    expect(snapshot(target)).toEqual(before);
  });

  it('says a cut-off zip is damaged and what to do', async () => {
    const { entries, manifest, target } = await exported();
    const before = snapshot(target);
    const zip = writeZip(entries, manifest);
    fs.truncateSync(zip, Math.floor(fs.statSync(zip).size / 2));
    expect(await rejection(importProject(target, zip))).toMatchObject({ code: 'BAD_ARCHIVE', message: expect.stringMatching(/damaged or incomplete.*copy it again or export the project again/) });
    expect(snapshot(target)).toEqual(before);
  });

  it('refuses a zip whose entries declare more than 4 GiB before inflating any', async () => {
    const target = open();
    const before = snapshot(target);
    const zip = Buffer.from(zipSync({ 'manifest.json': strToU8('{}'), 'a.bin': new Uint8Array(100), 'b.bin': new Uint8Array(100) }));
    // Declare every entry 4 GiB - 16 bytes uncompressed in the central directory.
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      zip.writeUInt32LE(0xfffffff0, at + 24);
    }
    const file = path.join(tempDir(), 'bomb.zip');
    fs.writeFileSync(file, zip);
    expect((await rejection(importProject(target, file))).message).toMatch(/expands to more than/);
    expect(snapshot(target)).toEqual(before);
  });
});
