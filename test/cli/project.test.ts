/** `fastsam3d project list | export | import` on real libraries in temp folders. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Library } from '../../src-main/library';
import { cubeGlb, cubeMesh, fakeReport, greyMaskPng, photoPng, runInput, tempDir } from '../library/fixtures';
import { cli, cliExits } from './run-cli';

/** Called while the export builds its zip (before it writes): where the signal tests send theirs. */
const hooks = vi.hoisted(() => ({ onZip: null as null | (() => void) }));
vi.mock('fflate', async (importOriginal) => {
  const orig = await importOriginal<typeof import('fflate')>();
  return {
    ...orig,
    zipSync: (...args: Parameters<typeof orig.zipSync>) => {
      hooks.onZip?.();
      return orig.zipSync(...args);
    },
  };
});
afterEach(() => {
  hooks.onZip = null;
});

/** A library folder holding project "Desk chair" (one photo, one mask, one finished run), closed again. */
async function libraryWithProject(): Promise<{ dir: string; projectId: string }> {
  const dir = tempDir('fs3d-cli-lib-');
  const lib = Library.open(dir, { thumbnailSize: 32 });
  try {
    const { image } = await lib.importImage({ name: 'Desk chair.png', data: await photoPng() });
    const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 500) });
    const run = lib.beginRun(runInput(image.id, [mask.id], 'off'));
    await lib.finishRun(run.id, { report: fakeReport(2000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
    return { dir, projectId: image.projectId };
  } finally {
    lib.close();
  }
}

describe('fastsam3d project', () => {
  it('lists, exports by name into the exports folder and imports into another library', async () => {
    const { dir, projectId } = await libraryWithProject();
    const list = await cli('project', 'list', '--data-dir', dir);
    expect(list).toMatchObject({ code: 0, err: '' });
    expect(list.out).toMatch(new RegExp(`${projectId}  Desk chair  \\(1 photo, 1 result; updated `));

    const exported = await cli('project', 'export', 'desk CHAIR', '--data-dir', dir);
    expect(exported.code).toBe(0);
    const zip = exported.out.trim();
    expect(zip).toBe(path.join(dir, 'exports', 'projects', 'Desk_chair.zip'));
    expect(exported.err).toMatch(/^exported project "Desk chair" \(1 photo, 1 result; 6 files, \d+ kB\)\n$/);

    const other = tempDir('fs3d-cli-lib-');
    const imported = await cli('project', 'import', zip, '--data-dir', other);
    expect(imported.code).toBe(0);
    expect(imported.err).toBe(`imported project "Desk chair" (1 photo, 1 result) into ${other}\n`);
    const lib = Library.open(other);
    try {
      expect(lib.getProject(imported.out.trim())).toMatchObject({ name: 'Desk chair', images: 1, runs: 1 });
    } finally {
      lib.close();
    }
  });

  it('replaces a zip at --out only with --replace, and exports a folder with --folder', async () => {
    const { dir, projectId } = await libraryWithProject();
    const out = path.join(tempDir(), 'chair.zip');
    fs.writeFileSync(out, 'keep me');
    const refused = await cli('project', 'export', projectId, '--out', out, '--data-dir', dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^fastsam3d: error: Cannot export project "Desk chair" to .*chair\.zip: a file of that name is already there\. Choose another name, or confirm that it may be replaced.* To replace it, add --replace\.\n$/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
    const replaced = await cli('project', 'export', projectId, '--out', out, '--replace', '--data-dir', dir);
    expect(replaced.code).toBe(0);
    expect(replaced.err).toMatch(/, replaced the file that was there\n$/);
    const folder = path.join(tempDir(), 'chair-folder');
    expect((await cli('project', 'export', projectId, '--out', folder, '--folder', '--data-dir', dir)).code).toBe(0);
    expect(fs.existsSync(path.join(folder, 'manifest.json'))).toBe(true);
  });

  it('says what is wrong in one line: an unknown or ambiguous project, a file that is not a project archive', async () => {
    const { dir } = await libraryWithProject();
    const missing = await cli('project', 'export', 'lamp', '--data-dir', dir);
    expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/^fastsam3d: error: no project "lamp" in .*; `fastsam3d project list` shows them\n$/) });

    const lib = Library.open(dir);
    try {
      // The library names its own projects apart ("desk chair (2)"); a user may rename one to a taken name.
      const { image } = await lib.importImage({ name: 'desk chair.png', data: await photoPng(64, 48, 3) });
      lib.renameProject(image.projectId, 'desk chair');
    } finally {
      lib.close();
    }
    const ambiguous = await cli('project', 'export', 'Desk chair', '--data-dir', dir);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/2 projects are named "Desk chair"; give one's id:\n {2}\S+ {2}desk chair .*\n {2}\S+ {2}Desk chair /);

    // A mistyped --data-dir is said, not answered with an empty library made there.
    const typo = path.join(tempDir(), 'no-library-here');
    for (const args of [['list'], ['export', 'Desk chair']]) {
      const r = await cli('project', ...args, '--data-dir', typo);
      expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/^fastsam3d: error: there is no library in .*no-library-here \(no library\.sqlite\): check --data-dir/) });
    }
    expect(fs.existsSync(typo)).toBe(false);

    const notes = path.join(tempDir(), 'notes.zip');
    fs.writeFileSync(notes, 'not a zip');
    const bad = await cli('project', 'import', notes, '--data-dir', dir);
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/is not a zip file; choose the \.zip that "Export project" wrote\. The library is unchanged\.\n$/) });
  });

  it('Ctrl-C during an export cancels it: exit 130, nothing written, not even in the exports folder', async () => {
    const { dir } = await libraryWithProject();
    const out = tempDir();
    const listeners = process.listenerCount('SIGINT');
    for (const args of [['--out', path.join(out, 'chair.zip')], []]) {
      hooks.onZip = () => void process.emit('SIGINT');
      const r = await cliExits('project', 'export', 'Desk chair', ...args, '--data-dir', dir);
      expect(r).toMatchObject({ code: 130, exits: [] });
      expect(r.err).toMatch(/cancelling… \(press Ctrl-C again to quit at once\)\n.*cancelled; nothing was written\n$/s);
    }
    expect(fs.readdirSync(out)).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'exports', 'projects'))).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(listeners); // the export's handler is gone
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} during an export exits at once with 128 + n and leaves no temp file`, async () => {
      const { dir } = await libraryWithProject();
      const out = tempDir();
      hooks.onZip = () => void process.emit(signal);
      const listeners = process.listenerCount(signal);
      const r = await cliExits('project', 'export', 'Desk chair', '--out', path.join(out, 'chair.zip'), '--data-dir', dir);
      expect(r.exits).toEqual([signal === 'SIGTERM' ? 143 : 129]);
      expect(r.err).toMatch(new RegExp(`fastsam3d: stopped by ${signal}; its unfinished files were removed`));
      expect(fs.readdirSync(out)).toEqual([]);
      expect(process.listenerCount(signal)).toBe(listeners);
    });
  }

  it('suggests --replace for a zip already there, not for a folder that is not empty (it does not apply)', async () => {
    const { dir } = await libraryWithProject();
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'keep.txt'), 'mine');
    const r = await cli('project', 'export', 'Desk chair', '--out', folder, '--folder', '--data-dir', dir);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/the folder is not empty\. Choose a new or empty folder\.\n$/) });
    expect(r.err).not.toMatch(/--replace/);
  });
});
