/** `fastsam3d project list | export | import` on real libraries in temp folders. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Library } from '../../src-main/library';
import { cubeGlb, cubeMesh, damagePages, dbFiles, fakeReport, greyMaskPng, killedWriter, photoPng, runInput, tempDir } from '../library/fixtures';
import { cli, cliExits } from './run-cli';

const requireHere = createRequire(import.meta.url);

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
  vi.restoreAllMocks();
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
    // An existing folder receives the project's folder (<out>/Desk_chair/), which must be new or empty.
    const folder = tempDir();
    fs.mkdirSync(path.join(folder, 'Desk_chair'));
    fs.writeFileSync(path.join(folder, 'Desk_chair', 'keep.txt'), 'mine');
    const r = await cli('project', 'export', 'Desk chair', '--out', folder, '--folder', '--data-dir', dir);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/the folder is not empty\. Choose a new or empty folder\.\n$/) });
    expect(r.err).not.toMatch(/--replace/);
  });

  it('an existing folder as --out receives <name>.zip (and <name>/ with --folder), as cp puts a file into a folder', async () => {
    const { dir } = await libraryWithProject();
    const folder = tempDir();
    const r = await cli('project', 'export', 'Desk chair', '--out', folder, '--data-dir', dir);
    expect(r).toMatchObject({ code: 0, out: `${path.join(folder, 'Desk_chair.zip')}\n` });
    // Again: the zip now there is replaced only when asked.
    const again = await cli('project', 'export', 'Desk chair', '--out', folder, '--data-dir', dir);
    expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/Desk_chair\.zip: a file of that name is already there\..* To replace it, add --replace\.\n$/) });
    expect((await cli('project', 'export', 'Desk chair', '--out', folder, '--replace', '--data-dir', dir)).code).toBe(0);
    const asFolder = await cli('project', 'export', 'Desk chair', '--out', folder, '--folder', '--data-dir', dir);
    expect(asFolder).toMatchObject({ code: 0, out: `${path.join(folder, 'Desk_chair')}\n` });
    expect(fs.existsSync(path.join(folder, 'Desk_chair', 'manifest.json'))).toBe(true);
    expect(fs.readdirSync(folder).sort()).toEqual(['Desk_chair', 'Desk_chair.zip']);
  });

  it('a photo in the trash: list counts neither it nor its results, and export says what it left in the trash', async () => {
    const { dir, projectId } = await libraryWithProject();
    const lib = Library.open(dir);
    try {
      const image = lib.listImages(projectId)[0];
      const mask = lib.listMasks(image.id)[0];
      for (let i = 0; i < 2; i++) {
        const run = lib.beginRun(runInput(image.id, [mask.id]));
        await lib.finishRun(run.id, { report: fakeReport(1000), artefacts: [{ kind: 'glb', data: await cubeGlb() }], mesh: cubeMesh() });
      }
      lib.trashImage(image.id);
    } finally {
      lib.close();
    }
    const list = await cli('project', 'list', '--data-dir', dir);
    expect(list.out).toMatch(/ {2}Desk chair {2}\(0 photos, 0 results; updated /);
    const exported = await cli('project', 'export', 'Desk chair', '--out', path.join(tempDir(), 'chair.zip'), '--data-dir', dir);
    expect(exported.code).toBe(0);
    expect(exported.err).toMatch(/^exported project "Desk chair" \(0 photos, 0 results; 1 file, \d+ kB\)\n1 photo and 3 results in the trash were not exported; restore them first to include them\.\n$/);
  });

  it('a damaged library is left byte for byte (its -wal and -shm too): exit 2, and one backup however often it is asked', async () => {
    const { dir } = await libraryWithProject();
    killedWriter(dir); // commits in library.sqlite-wal, not yet in the file
    damagePages(path.join(dir, 'library.sqlite'));
    const found = dbFiles(dir);
    for (const args of [['list'], ['list'], ['export', 'Desk chair', '--out', path.join(tempDir(), 'chair.zip')], ['import', path.join(tempDir(), 'none.zip')]]) {
      const r = await cli('project', ...args, '--data-dir', dir);
      expect(dbFiles(dir)).toEqual(found);
      expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/is damaged .*It was not changed: library\.sqlite and its library\.sqlite-wal and library\.sqlite-shm files/) });
    }
    expect(fs.readdirSync(dir).filter((n) => n.includes('.corrupt-') && n.endsWith('.bak'))).toHaveLength(1);
  });

  describe('a library on a read-only disk, or one another process is writing', () => {
    /** Every file under `dir` with its size and modification time. */
    const snapshot = (dir: string) => Object.fromEntries(
      (fs.readdirSync(dir, { recursive: true }) as string[]).map((rel) => {
        const st = fs.statSync(path.join(dir, rel));
        return [rel, st.isFile() ? `${st.size} ${st.mtimeMs}` : 'folder'];
      }),
    );

    it('list and export --out elsewhere work on a data folder that cannot be written, and write nothing there', async () => {
      const { dir, projectId } = await libraryWithProject();
      // A read-only mount as the library's checks see it (a real one needs privileges the tests do not have).
      const accessSync = fs.accessSync;
      vi.spyOn(fs, 'accessSync').mockImplementation((p, mode) => {
        if (String(p).startsWith(dir) && mode === fs.constants.W_OK) throw Object.assign(new Error(`EROFS: read-only file system, access '${String(p)}'`), { code: 'EROFS' });
        return accessSync(p, mode);
      });
      const before = snapshot(dir);
      const list = await cli('project', 'list', '--data-dir', dir);
      expect(list).toMatchObject({ code: 0, err: '' });
      expect(list.out).toContain(`${projectId}  Desk chair  (1 photo, 1 result; `);
      const out = path.join(tempDir(), 'chair.zip');
      const exported = await cli('project', 'export', 'Desk chair', '--out', out, '--data-dir', dir);
      expect(exported).toMatchObject({ code: 0, out: `${out}\n` });
      expect(fs.existsSync(out)).toBe(true);
      // No holder entry, no crash recovery, no exports folder: the data folder as it was (SQLite's own
      // -wal/-shm aside, which a read-only disk would not let it make).
      const after = snapshot(dir);
      delete after['library.sqlite-wal'];
      delete after['library.sqlite-shm'];
      expect(after).toEqual(before);
    });

    it('list and export do not wait for the write lock of a process recording a run; import says who holds it and to retry', async () => {
      const { dir } = await libraryWithProject();
      const writer = await holdWriteLock(path.join(dir, 'library.sqlite'));
      try {
        // A read-only open needs no write lock: waiting for it would end in SQLite's busy error after 5 s.
        const list = await cli('project', 'list', '--data-dir', dir);
        expect(list).toMatchObject({ code: 0, out: expect.stringContaining('Desk chair') });
        const exported = await cli('project', 'export', 'Desk chair', '--out', path.join(tempDir(), 'chair.zip'), '--data-dir', dir);
        expect(exported.code).toBe(0);

        const zip = exported.out.trim();
        const imported = await cli('project', 'import', zip, '--data-dir', dir);
        expect(imported.code).toBe(2);
        expect(imported.err).toMatch(/another Fast-SAM3D Studio process \(the app, the browser host or another fastsam3d command\) is writing to the library .*Try again in a moment; nothing was changed\.\n$/);
        expect(imported.err).not.toMatch(/internal error|\n\s+at /);
      } finally {
        writer.kill();
      }
    }, 30_000);
  });

  describe('a full disk', () => {
    const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

    it('export --out on a full disk names that disk and what to do: exit 2, no stack, nothing left there', async () => {
      const { dir } = await libraryWithProject();
      const full = tempDir();
      // The export's writes (fs/promises) fail as they would on a full disk, for files under `full` only.
      const open = fsp.open;
      vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
        const fh = await open(...args);
        if (String(args[0]).startsWith(full)) {
          fh.writeFile = async () => {
            throw noSpace();
          };
        }
        return fh;
      });
      const r = await cli('project', 'export', 'Desk chair', '--out', path.join(full, 'b.zip'), '--data-dir', dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^fastsam3d: error: Could not export project "Desk chair" to .*b\\.zip: the disk holding ${full.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full \\(ENOSPC[^)]*\\)\\. Free some space there, or export it to another disk; nothing was changed\\.\n$`));
      expect(r.err).not.toMatch(/data folder|library is full/);
      expect(fs.readdirSync(full)).toEqual([]);
    });

    it('import into a full data folder names the data folder: exit 2, no stack, the library unchanged', async () => {
      const { dir } = await libraryWithProject();
      const zip = (await cli('project', 'export', 'Desk chair', '--out', path.join(tempDir(), 'chair.zip'), '--data-dir', dir)).out.trim();
      const target = tempDir('fs3d-cli-lib-');
      Library.open(target).close();
      // The asset store's writes (fs.writeSync on files it opened) fail as on a full disk.
      const assets = path.join(target, 'assets');
      const full = new Set<number>();
      const openSync = fs.openSync;
      vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
        const fd = openSync(...args);
        if (String(args[0]).startsWith(assets)) full.add(fd);
        return fd;
      });
      const writeSync = fs.writeSync as (...a: unknown[]) => number;
      vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, ...rest: unknown[]) => {
        if (full.has(fd)) throw noSpace();
        return writeSync(fd, ...rest);
      }) as typeof fs.writeSync);
      const r = await cli('project', 'import', zip, '--data-dir', target);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^fastsam3d: error: Could not import project "Desk chair": the disk holding the library's data folder .* is full \(ENOSPC[^)]*\)\. Free some space on it, then try again; nothing was changed\.\n$/);
      expect(r.err).toContain(target);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
      vi.restoreAllMocks();
      const lib = Library.open(target);
      try {
        expect(lib.listProjects()).toEqual([]);
        expect(lib.verify({ hashes: true })).toEqual([]);
      } finally {
        lib.close();
      }
    });
  });
});

/** Another process in a write transaction on the database (as the app is while it records a run), until killed. */
async function holdWriteLock(dbPath: string): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(requireHere.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(dbPath)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare("UPDATE projects SET updated_at = updated_at").run();
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return child;
}
