/** Library.open options: the native binding Electron passes, read-only connections, creation errors. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holderAlive, processStartTime, readLock } from '../../src-main/library/lock';
import { Library, electronNativeBinding } from '../../src-main/library';
import { photoPng, tempDir } from './fixtures';
import { sha256 } from '../../src-main/library/files';

afterEach(() => {
  vi.restoreAllMocks();
});

const require = createRequire(import.meta.url);

describe('Library.open options', () => {
  it('loads SQLite through an explicit native binding (as Electron does with its ABI build)', () => {
    const binding = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node');
    const lib = Library.open(tempDir(), { nativeBinding: binding });
    expect(lib.createProject('via binding').name).toBe('via binding');
    lib.close();
  });

  it('says what to do when the native binding cannot be loaded', () => {
    const dir = tempDir();
    const fake = path.join(dir, 'better_sqlite3.node');
    fs.writeFileSync(fake, 'not a shared object');
    expect(() => Library.open(dir, { nativeBinding: fake })).toThrow(/SQLite native module at .* could not be loaded .*npm run setup/);
  });

  it('has no Electron binding to offer under plain Node', () => {
    expect(electronNativeBinding(process.cwd())).toBeUndefined();
  });

  it('refuses to open read-only a library that does not exist yet, without creating it', () => {
    const dir = tempDir();
    expect(() => Library.open(dir, { readonly: true })).toThrow(/No library database .* open the library read-write once/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('explains a data folder that cannot be created', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => Library.open(path.join(file, 'data'))).toThrow(/Could not create the data folder .*choose a writable folder/);
  });

  it('an older build\'s library.lock naming a live process keeps the sweep off; a stale one does not', () => {
    const dir = tempDir();
    const first = Library.open(dir);
    // Pretend the lock belongs to another live process (our parent is certainly alive).
    fs.writeFileSync(path.join(dir, 'library.lock'), String(process.ppid));
    fs.mkdirSync(path.join(first.assetsDir, 'runs', 'r1'), { recursive: true });
    const inFlight = path.join(first.assetsDir, 'runs', 'r1', 'a.glb');
    fs.writeFileSync(inFlight, 'being recorded by the other process');
    const second = Library.open(dir);
    expect(fs.existsSync(inFlight)).toBe(true);
    second.close();
    first.close();
    // With the other process gone (stale lock), the next open cleans up.
    fs.writeFileSync(path.join(dir, 'library.lock'), '999999999');
    Library.open(dir).close();
    expect(fs.existsSync(inFlight)).toBe(false);
  });

  it('a lock whose PID now belongs to another process (started later) is stale: crash recovery runs', () => {
    const dir = tempDir();
    Library.open(dir).close();
    const live = processStartTime(process.ppid);
    if (live === null) {
      console.log('no /proc on this system: only the PID is checked, nothing more to test');
      return;
    }
    fs.mkdirSync(path.join(dir, 'assets', 'runs', 'r1'), { recursive: true });
    const orphan = path.join(dir, 'assets', 'runs', 'r1', 'a.glb');
    fs.writeFileSync(orphan, 'left by a crashed app');
    // The PID is alive (our parent) but the process that wrote the lock started at another time.
    fs.writeFileSync(path.join(dir, 'library.lock'), JSON.stringify({ pid: process.ppid, started: String(Number(live) + 12345) }));
    expect(holderAlive(readLock(path.join(dir, 'library.lock'))!)).toBe(false);
    Library.open(dir).close();
    expect(fs.existsSync(orphan)).toBe(false);
    // The same PID with its real start time is a live holder.
    fs.writeFileSync(path.join(dir, 'library.lock'), JSON.stringify({ pid: process.ppid, started: live }));
    expect(holderAlive(readLock(path.join(dir, 'library.lock'))!)).toBe(true);
  });

  it('opens read-only a library on a disk that cannot be written, where SQLite cannot make its -wal: from a copy in memory, writing nothing', async () => {
    const dir = tempDir();
    const lib = Library.open(dir);
    const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
    lib.close();
    // What a read-only mount is to the two: the folder's write check says EROFS, and SQLite cannot create
    // library.sqlite-wal beside the database (here a folder of that name is in the way).
    const accessSync = fs.accessSync;
    vi.spyOn(fs, 'accessSync').mockImplementation((p, mode) => {
      if (String(p).startsWith(dir) && mode === fs.constants.W_OK) throw Object.assign(new Error(`EROFS: read-only file system, access '${String(p)}'`), { code: 'EROFS' });
      return accessSync(p, mode);
    });
    fs.mkdirSync(path.join(dir, 'library.sqlite-wal'));
    const before = snapshot(dir);
    const reader = Library.open(dir, { readonly: true });
    try {
      expect(reader.listProjects()).toMatchObject([{ id: image.projectId, name: 'chair', images: 1 }]);
      expect(reader.db.memory).toBe(true);
    } finally {
      reader.close();
    }
    expect(snapshot(dir)).toEqual(before);
  });
});

/** Every file under `dir` with its sha256 (folders by name). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    out[rel] = e.isFile() ? sha256(fs.readFileSync(path.join(dir, rel))) : 'folder';
  }
  return out;
}
